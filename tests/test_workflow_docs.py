"""The GitHub Actions workflows and the README's CI/CD section agree.

Every secret, repository variable and workflow input a workflow reads has to
be named in the CI/CD section of README.md, so whoever sets up a fork or a new
environment finds the whole list in one place.
"""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# `secrets.NAME`, `vars.NAME`, `inputs.NAME` and the `secrets['NAME']` form.
REFERENCE = re.compile(
    r"\b(secrets|vars|inputs)"
    r"(?:\.([A-Za-z_][A-Za-z0-9_-]*)|\[\s*['\"]([A-Za-z_][A-Za-z0-9_-]*)['\"]\s*\])"
)
# GitHub provides this one to every run; there is nothing to set up.
PROVIDED_BY_GITHUB = {("secrets", "GITHUB_TOKEN")}

PINNED_ACTION = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def strings_in(node):
    """Yield every string (keys and values) in a parsed YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings_in(key)
            yield from strings_in(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings_in(item)
    elif isinstance(node, str):
        yield node


def references_in(workflow):
    """The (kind, name) pairs a workflow reads inside `${{ }}` expressions.

    Parsing the YAML first leaves comments out, so a name mentioned only in a
    comment does not count as used.
    """
    document = yaml.safe_load(workflow.read_text())
    found = set()
    for text in strings_in(document):
        for expression in EXPRESSION.findall(text):
            for kind, dotted, bracketed in REFERENCE.findall(expression):
                found.add((kind, dotted or bracketed))
    return found - PROVIDED_BY_GITHUB


def cicd_section():
    readme = (ROOT / "README.md").read_text()
    match = re.search(
        r"<!-- section:cicd -->(.*?)<!-- /section:cicd -->", readme, re.DOTALL
    )
    assert match, "README.md has no <!-- section:cicd --> block"
    return match.group(1)


def test_workflows_exist():
    """The three workflows of the CI/CD flow are in .github/workflows."""
    names = {path.name for path in WORKFLOWS}
    assert {"main.yml", "Terraform-Apply.yml", "Terraform-destroy.yml"} <= names


def test_references_are_found():
    """The scan sees the references it exists for (guards against a no-op)."""
    found = set().union(*(references_in(path) for path in WORKFLOWS))
    assert ("secrets", "SONAR_TOKEN") in found
    assert ("secrets", "AWS_ROLE_ARN") in found
    assert ("inputs", "image_tag") in found


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_every_reference_is_documented(workflow):
    """Each secret, variable and input a workflow reads is named in the README.

    The name has to appear in backticks inside the CI/CD section, as in the
    secrets and variables table, so an ordinary word such as "environment"
    elsewhere in the text does not count.
    """
    section = cicd_section()
    missing = sorted(
        f"{kind}.{name}"
        for kind, name in references_in(workflow)
        if f"`{name}`" not in section
    )
    assert not missing, f"{workflow.name} uses names the README does not: {missing}"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda path: path.name)
def test_actions_are_pinned_to_a_commit(workflow):
    """Every action is pinned to a full commit SHA, its version in a comment.

    A tag can be moved to other code after review; a commit cannot.
    """
    unpinned = []
    for line in workflow.read_text().splitlines():
        match = re.match(r"\s*(?:-\s+)?uses:\s*(\S+)(.*)$", line)
        if not match or match.group(1).startswith("./"):
            continue
        action, rest = match.groups()
        if not PINNED_ACTION.match(action) or not re.search(r"#\s*v\d", rest):
            unpinned.append(action)
    assert not unpinned, f"{workflow.name}: not pinned to a commit: {unpinned}"

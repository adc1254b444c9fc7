"""Each environment's tfvars file matches the variables Terraform declares.

Terraform only warns about a value set for an undeclared variable (a typo
silently leaves the default in place) and stops late, at plan time, when a
required one is missing; these tests catch both before any AWS call.

python-hcl2 is not a project dependency, so a small reader below finds the
top-level names of HCL files: it skips strings (with their ``${...}``
templates), comments and heredocs, and tracks bracket depth so that keys of
nested objects are never taken for variables.
"""

import re
from pathlib import Path

import pytest

TERRAFORM_DIR = Path(__file__).resolve().parent.parent / "deploy" / "terraform"
ENVIRONMENTS = ("dev", "staging", "prod")

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_BLOCK_START = re.compile(r'([A-Za-z_][A-Za-z0-9_-]*)((?:\s+"[^"]*")*)\s*\{')
_ATTRIBUTE_START = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*=(?!=)")
_HEREDOC = re.compile(r"<<-?([A-Za-z_][A-Za-z0-9_]*)\n")


def _skip_template(text, index):
    """Index just past the ``}`` closing a ``${`` or ``%{`` opened before."""
    depth = 1
    while index < len(text):
        char = text[index]
        if char == '"':
            index = _skip_string(text, index)
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError("unterminated template expression")


def _skip_string(text, index):
    """Index just past the string literal whose opening quote is at index."""
    index += 1
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
        elif char == '"':
            return index + 1
        elif text.startswith(("${", "%{"), index):
            index = _skip_template(text, index + 2)
        else:
            index += 1
    raise ValueError("unterminated string")


def _skip_heredoc(text, index, marker):
    """Index just past the line that closes a heredoc opened at index."""
    closing = re.compile(rf"^[ \t]*{re.escape(marker)}[ \t]*$", re.MULTILINE)
    found = closing.search(text, index)
    if found is None:
        raise ValueError(f"unterminated heredoc {marker}")
    return found.end()


def _skip_comment(text, index):
    """Index just past a comment starting at index, or index if none does."""
    if text.startswith(("#", "//"), index):
        end = text.find("\n", index)
        return len(text) if end == -1 else end
    if text.startswith("/*", index):
        end = text.find("*/", index + 2)
        if end == -1:
            raise ValueError("unterminated comment")
        return end + 2
    return index


def top_level_items(text):
    """The attributes and blocks at depth 0 of an HCL body.

    Returns (attributes, blocks): attribute names, and for each block its
    type, its labels and its body text.
    """
    attributes, blocks = [], []
    index, depth, line_start = 0, 0, True
    while index < len(text):
        after_comment = _skip_comment(text, index)
        if after_comment != index:
            index = after_comment
            continue

        char = text[index]
        if char == "\n":
            line_start = True
            index += 1
            continue
        if char in " \t\r":
            index += 1
            continue

        if depth == 0 and line_start:
            block = _BLOCK_START.match(text, index)
            attribute = _ATTRIBUTE_START.match(text, index)
            if block:
                body_start = block.end()
                body_end = _matching_brace(text, body_start)
                labels = re.findall(r'"([^"]*)"', block.group(2))
                blocks.append((block.group(1), labels, text[body_start:body_end]))
                index, line_start = body_end + 1, False
                continue
            if attribute:
                attributes.append(attribute.group(1))
                index, line_start = attribute.end(), False
                continue
            raise ValueError(
                f"unexpected text at top level: {text[index : index + 40]!r}"
            )

        line_start = False
        heredoc = _HEREDOC.match(text, index)
        if char == '"':
            index = _skip_string(text, index)
        elif heredoc:
            index = _skip_heredoc(text, heredoc.end(), heredoc.group(1))
        else:
            if char in "{[(":
                depth += 1
            elif char in "}])":
                depth -= 1
            index += 1
    return attributes, blocks


def _matching_brace(text, index):
    """Index of the ``}`` closing a block whose body starts at index."""
    depth = 1
    while index < len(text):
        after_comment = _skip_comment(text, index)
        if after_comment != index:
            index = after_comment
            continue
        char = text[index]
        heredoc = _HEREDOC.match(text, index)
        if char == '"':
            index = _skip_string(text, index)
            continue
        if heredoc:
            index = _skip_heredoc(text, heredoc.end(), heredoc.group(1))
            continue
        if char in "{[(":
            depth += 1
        elif char in "}])":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise ValueError("unterminated block")


def declared_variables(directory):
    """Map of every variable declared in a directory's .tf files to whether
    it has a default (and so may be left out of a tfvars file)."""
    variables = {}
    for path in sorted(directory.glob("*.tf")):
        _, blocks = top_level_items(path.read_text())
        for block_type, labels, body in blocks:
            if block_type == "variable":
                attributes, _ = top_level_items(body)
                variables[labels[0]] = "default" in attributes
    return variables


def tfvars_names(path):
    """Names a tfvars file assigns, in order."""
    attributes, blocks = top_level_items(path.read_text())
    assert not blocks, f"{path.name} must only assign values, not open blocks"
    return attributes


def tfvars_string(path, name):
    """The value of a top-level ``name = "value"`` line of a tfvars file."""
    found = re.search(rf'^{name}\s*=\s*"([^"]*)"', path.read_text(), re.MULTILINE)
    return found.group(1) if found else None


def test_reader_sees_only_top_level_names():
    """Keys inside objects, strings, comments and heredocs are not variables."""
    text = (
        '# region = "nope"\n'
        'environment = "dev" // trailing comment\n'
        "services = {\n"
        "  product = { cpu = 256 }\n"
        "}\n"
        'note = "braces { and \\" quotes ${ {a = "}"} } stay inside"\n'
        "policy = <<EOT\n"
        "hidden = 1\n"
        "EOT\n"
        "/* count = 2 */\n"
        "tags = [\n"
        '  "a",\n'
        "]\n"
    )

    attributes, blocks = top_level_items(text)

    assert attributes == ["environment", "services", "note", "policy", "tags"]
    assert blocks == []


def test_reader_tells_required_from_defaulted_variables(tmp_path):
    """A default nested in a validation block or object type does not count."""
    (tmp_path / "variables.tf").write_text(
        'variable "required" {\n'
        "  type = object({ default = string })\n"
        "  validation {\n"
        "    condition     = var.required != null\n"
        '    error_message = "default = is not here"\n'
        "  }\n"
        "}\n\n"
        'variable "optional" {\n'
        "  type    = string\n"
        "  default = null\n"
        "}\n"
    )

    assert declared_variables(tmp_path) == {"required": False, "optional": True}


def test_every_environment_has_settings_and_a_backend():
    """Each environment has its variables file and its state backend file."""
    for environment in ENVIRONMENTS:
        assert (TERRAFORM_DIR / "envs" / f"{environment}.tfvars").is_file()
        assert (TERRAFORM_DIR / "envs" / f"{environment}.s3.tfbackend").is_file()

    tfvars_files = sorted(path.stem for path in TERRAFORM_DIR.glob("envs/*.tfvars"))
    assert tfvars_files == sorted(ENVIRONMENTS)


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_sets_only_declared_variables(environment):
    """A tfvars file may only set variables the root module declares."""
    declared = declared_variables(TERRAFORM_DIR)
    names = tfvars_names(TERRAFORM_DIR / "envs" / f"{environment}.tfvars")

    undeclared = sorted(set(names) - set(declared))

    assert undeclared == [], f"{environment}.tfvars sets undeclared {undeclared}"
    assert len(names) == len(set(names)), f"{environment}.tfvars repeats a name"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_sets_every_required_variable(environment):
    """Every variable without a default is set in each tfvars file."""
    declared = declared_variables(TERRAFORM_DIR)
    names = set(tfvars_names(TERRAFORM_DIR / "envs" / f"{environment}.tfvars"))

    required = {name for name, has_default in declared.items() if not has_default}
    missing = sorted(required - names)

    assert missing == [], f"{environment}.tfvars misses required {missing}"


@pytest.mark.parametrize("environment", ENVIRONMENTS)
def test_tfvars_names_its_own_environment(environment):
    """envs/<env>.tfvars sets environment = "<env>" and pins an image tag."""
    path = TERRAFORM_DIR / "envs" / f"{environment}.tfvars"

    assert tfvars_string(path, "environment") == environment
    assert tfvars_string(path, "image_tag")

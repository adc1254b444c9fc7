"""Put an ECS service back on an earlier task definition, or on a copy of
its current one running another image tag."""

import json
import re
import time

from botocore.exceptions import ClientError

from django.core.management.base import BaseCommand, CommandError

from stockwiz.management.commands._aws import aws_errors, ecs_client
from stockwiz.management.commands.ecs_status import (
    find_cluster,
    find_service,
    revision_name,
)

# Docker's rule for a tag.
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# The fields of a described task definition that RegisterTaskDefinition
# accepts back; the others (arn, revision, status...) are set by ECS.
REGISTERABLE_FIELDS = (
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "containerDefinitions",
    "volumes",
    "placementConstraints",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "ephemeralStorage",
    "runtimePlatform",
)
POLL_SECONDS = 5


def image_repository(image):
    """``registry/name`` of an image reference, without tag or digest."""
    image = image.split("@", 1)[0]
    name, _, tag = image.rpartition(":")
    # A colon before the last slash belongs to a registry port, not a tag.
    if name and "/" not in tag:
        return name
    return image


def with_tag(image, tag):
    return f"{image_repository(image)}:{tag}"


class Command(BaseCommand):
    help = (
        "Roll an ECS service back. By default it goes to the newest active "
        "revision of its task definition family below the one it runs; "
        "--to-revision N picks revision N; --image-tag T registers a copy of "
        "the current task definition with the application image tag replaced "
        "by T (sidecars keep theirs) and deploys it. --wait blocks until the "
        "service is stable. Uses the AWS credentials and region of the "
        "environment (AWS_REGION)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", required=True, help="ECS cluster name.")
        parser.add_argument("--service", required=True, help="ECS service name.")
        target = parser.add_mutually_exclusive_group()
        target.add_argument(
            "--to-revision",
            type=int,
            metavar="N",
            help="Task definition revision of the same family to run.",
        )
        target.add_argument(
            "--image-tag",
            metavar="T",
            help="Image tag to run with the current task definition.",
        )
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Wait until the new deployment is stable (or has failed).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=900,
            help="Seconds --wait waits before giving up (default 900).",
        )
        parser.add_argument(
            "--json", action="store_true", help="Print the result as JSON."
        )

    def handle(self, *args, cluster, service, to_revision, image_tag, **options):
        if image_tag is not None and not IMAGE_TAG.match(image_tag):
            raise CommandError(f"{image_tag!r} is not a valid image tag.")

        with aws_errors():
            client = ecs_client()
            find_cluster(client, cluster)
            current = revision_name(
                find_service(client, cluster, service)["taskDefinition"]
            )
            if image_tag is not None:
                target = self._register_with_tag(client, current, image_tag)
            elif to_revision is not None:
                target = self._named_revision(client, current, to_revision)
            else:
                target = self._previous_revision(client, current)

            changed = target != current
            if changed:
                client.update_service(
                    cluster=cluster, service=service, taskDefinition=target
                )
            if options["wait"]:
                self._wait(client, cluster, service, options["timeout"])

        result = {
            "cluster": cluster,
            "service": service,
            "from": current,
            "to": target,
            "changed": changed,
            "stable": True if options["wait"] else None,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result))
        elif changed:
            self.stdout.write(f"{service}: deploying {target} (was {current})")
        else:
            self.stdout.write(f"{service}: already runs {target}, nothing to do")
        if options["wait"] and not options["json"]:
            self.stdout.write(f"{service}: stable")

    def _named_revision(self, client, current, revision):
        family = current.rsplit(":", 1)[0]
        target = f"{family}:{revision}"
        try:
            described = client.describe_task_definition(taskDefinition=target)
        except ClientError as exc:
            raise CommandError(f"Task definition {target} not found.") from exc
        if described["taskDefinition"].get("status") != "ACTIVE":
            raise CommandError(f"Task definition {target} is no longer active.")
        return target

    def _previous_revision(self, client, current):
        family, revision = current.rsplit(":", 1)
        revisions = []
        paginator = client.get_paginator("list_task_definitions")
        for page in paginator.paginate(familyPrefix=family, status="ACTIVE"):
            for arn in page["taskDefinitionArns"]:
                name, number = revision_name(arn).rsplit(":", 1)
                # familyPrefix also matches longer family names.
                if name == family and int(number) < int(revision):
                    revisions.append(int(number))
        if not revisions:
            raise CommandError(
                f"No active revision of {family} older than {revision} to "
                "roll back to; use --to-revision or --image-tag."
            )
        return f"{family}:{max(revisions)}"

    def _register_with_tag(self, client, current, tag):
        described = client.describe_task_definition(
            taskDefinition=current, include=["TAGS"]
        )
        definition = described["taskDefinition"]
        copy = {
            field: definition[field]
            for field in REGISTERABLE_FIELDS
            if definition.get(field) not in (None, [], {})
        }
        # The first container runs the application; containers built from
        # the same repository follow it, sidecars keep their images.
        app_repository = image_repository(copy["containerDefinitions"][0]["image"])
        for container in copy["containerDefinitions"]:
            if image_repository(container["image"]) == app_repository:
                container["image"] = with_tag(container["image"], tag)
        if described.get("tags"):
            copy["tags"] = described["tags"]
        registered = client.register_task_definition(**copy)
        return revision_name(registered["taskDefinition"]["taskDefinitionArn"])

    def _wait(self, client, cluster, service, timeout):
        """Poll until the primary deployment completes: one deployment left
        and every desired task running. A failed rollout stops the wait."""
        deadline = time.monotonic() + timeout
        while True:
            state = find_service(client, cluster, service)
            deployments = state.get("deployments", [])
            primary = next((d for d in deployments if d.get("status") == "PRIMARY"), {})
            if primary.get("rolloutState") == "FAILED":
                raise CommandError(
                    f"Deployment of {service} failed: "
                    f"{primary.get('rolloutStateReason', 'no reason given')}"
                )
            if len(deployments) == 1 and (
                state["runningCount"] == state["desiredCount"]
            ):
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CommandError(
                    f"{service} not stable after {timeout:g} s: "
                    f"{state['runningCount']} of {state['desiredCount']} tasks "
                    f"running, {len(deployments)} deployments. It keeps rolling "
                    "out; check it with ecs_status."
                )
            time.sleep(min(POLL_SECONDS, remaining))

"""Show what every ECS service of a cluster runs and how its rollout goes."""

import json

from django.core.management.base import BaseCommand, CommandError

from stockwiz.management.commands._aws import aws_errors, ecs_client

# ECS describes at most this many services per call.
DESCRIBE_BATCH = 10
RECENT_EVENTS = 5


def find_cluster(client, cluster):
    """Fail clearly when ``cluster`` does not exist or was deleted."""
    found = client.describe_clusters(clusters=[cluster])["clusters"]
    if not found or found[0].get("status") != "ACTIVE":
        raise CommandError(f"ECS cluster {cluster!r} not found.")
    return found[0]


def find_service(client, cluster, service):
    found = client.describe_services(cluster=cluster, services=[service])
    services = [s for s in found["services"] if s.get("status") != "INACTIVE"]
    if not services:
        raise CommandError(f"ECS service {service!r} not found in cluster {cluster!r}.")
    return services[0]


def revision_name(task_definition_arn):
    """``family:revision`` from a task definition ARN or name."""
    return task_definition_arn.rsplit("/", 1)[-1]


def service_summary(service, images):
    primary = next(
        (d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"),
        {},
    )
    return {
        "service": service["serviceName"],
        "status": service.get("status"),
        "task_definition": revision_name(service["taskDefinition"]),
        "images": images,
        "desired": service.get("desiredCount", 0),
        "running": service.get("runningCount", 0),
        "pending": service.get("pendingCount", 0),
        "deployments": len(service.get("deployments", [])),
        "rollout": primary.get("rolloutState"),
        "events": [
            {"at": event["createdAt"].isoformat(), "message": event["message"]}
            for event in service.get("events", [])[:RECENT_EVENTS]
        ],
    }


class Command(BaseCommand):
    help = (
        "Show each ECS service of a cluster: its task definition revision, "
        "container images, desired, running and pending task counts, rollout "
        "state and its most recent events. Uses the AWS credentials and "
        "region of the environment (AWS_REGION)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cluster", required=True, help="ECS cluster name.")
        parser.add_argument(
            "--json", action="store_true", help="Print one JSON document."
        )

    def handle(self, *args, cluster, **options):
        with aws_errors():
            client = ecs_client()
            find_cluster(client, cluster)
            summaries = self._summaries(client, cluster)

        if options["json"]:
            self.stdout.write(json.dumps({"cluster": cluster, "services": summaries}))
            return
        if not summaries:
            self.stdout.write(f"cluster {cluster} has no services")
        for summary in summaries:
            self._print(summary)

    def _summaries(self, client, cluster):
        arns = []
        for page in client.get_paginator("list_services").paginate(cluster=cluster):
            arns.extend(page["serviceArns"])
        images_of = {}
        summaries = []
        for start in range(0, len(arns), DESCRIBE_BATCH):
            batch = arns[start : start + DESCRIBE_BATCH]
            described = client.describe_services(cluster=cluster, services=batch)
            for service in described["services"]:
                arn = service["taskDefinition"]
                if arn not in images_of:
                    definition = client.describe_task_definition(taskDefinition=arn)
                    images_of[arn] = [
                        container["image"]
                        for container in definition["taskDefinition"][
                            "containerDefinitions"
                        ]
                    ]
                summaries.append(service_summary(service, images_of[arn]))
        return sorted(summaries, key=lambda summary: summary["service"])

    def _print(self, summary):
        write = self.stdout.write
        write(f"{summary['service']} ({summary['status']})")
        write(f"  task definition  {summary['task_definition']}")
        for image in summary["images"]:
            write(f"  image            {image}")
        write(
            f"  tasks            desired {summary['desired']}, running "
            f"{summary['running']}, pending {summary['pending']}"
        )
        write(
            f"  deployments      {summary['deployments']} "
            f"(rollout {summary['rollout'] or 'unknown'})"
        )
        for event in summary["events"]:
            write(f"  {event['at']}  {event['message']}")

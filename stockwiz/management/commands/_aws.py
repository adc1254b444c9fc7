"""AWS access shared by the ECS commands: one client factory and one place
that turns AWS failures into clear command errors."""

import contextlib

import boto3
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from django.conf import settings
from django.core.management.base import CommandError


def ecs_client():
    """An ECS client from a fresh session, so the credentials and
    ``AWS_ENDPOINT_URL`` of the environment are read now."""
    session = boto3.session.Session(region_name=settings.AWS_REGION or None)
    return session.client("ecs")


@contextlib.contextmanager
def aws_errors():
    """Turn AWS failures that an operator can fix into ``CommandError``."""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError) as exc:
        raise CommandError(
            "No AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY, or run with a role."
        ) from exc
    except NoRegionError as exc:
        raise CommandError("No AWS region set: set AWS_REGION.") from exc
    except EndpointConnectionError as exc:
        raise CommandError(f"Cannot reach AWS: {exc}") from exc
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise CommandError(
            f"AWS refused the request ({error.get('Code', 'error')}): "
            f"{error.get('Message', exc)}"
        ) from exc
    except BotoCoreError as exc:
        raise CommandError(f"AWS request failed: {exc}") from exc

data "aws_region" "current" {}

locals {
  serves_http = var.container_port != null

  # PORT and HOST only matter to the web roles; /tmp is the one writable path
  # on the read-only root filesystem.
  environment = merge(
    var.environment,
    {
      ROLE                    = var.role
      TMPDIR                  = "/tmp"
      GUNICORN_WORKER_TMP_DIR = "/tmp"
    },
    local.serves_http ? { PORT = tostring(var.container_port), HOST = "0.0.0.0" } : {},
  )

  # The image has Python but perhaps no curl; /health answers for any Host.
  health_check = local.serves_http ? {
    command = [
      "CMD", "python", "-c",
      "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${var.container_port}/health', timeout=4)",
    ]
    interval    = 30
    timeout     = 5
    retries     = 3
    startPeriod = 30
  } : null

  container = {
    name      = var.role
    image     = var.image
    essential = true

    # Matches the image's non-root user; the root filesystem is read-only and
    # /tmp is a task-scoped scratch volume (Fargate has no tmpfs).
    user                   = "10001:10001"
    readonlyRootFilesystem = true
    mountPoints = [{
      sourceVolume  = "tmp"
      containerPath = "/tmp"
      readOnly      = false
    }]

    environment = [for name in sort(keys(local.environment)) : {
      name  = name
      value = local.environment[name]
    }]
    secrets = [for name in sort(keys(var.secrets)) : {
      name      = name
      valueFrom = var.secrets[name]
    }]

    portMappings = local.serves_http ? [{
      name          = var.role
      containerPort = var.container_port
      protocol      = "tcp"
    }] : []
    healthCheck = local.health_check

    # gunicorn's graceful_timeout is 25 s; ECS waits this long before SIGKILL.
    stopTimeout     = 30
    linuxParameters = { initProcessEnabled = true }
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = aws_cloudwatch_log_group.this.name
        awslogs-region        = data.aws_region.current.name
        awslogs-stream-prefix = var.role
      }
    }
  }
}

resource "aws_cloudwatch_log_group" "this" {
  #checkov:skip=CKV_AWS_158:Encrypted with the CloudWatch Logs service key; a customer-managed KMS key adds key-policy upkeep with no consumer needing it.
  #checkov:skip=CKV_AWS_338:Retention is set per environment (log_retention_days); dev and staging do not need a year of logs.
  name              = var.log_group_name
  retention_in_days = var.log_retention_days
}

resource "aws_iam_role" "execution" {
  name               = "${var.family}-execution"
  description        = "ECS agent for ${var.family}: pulls the image, reads its secrets, ships its logs"
  assume_role_policy = local.ecs_tasks_trust
}

resource "aws_iam_role_policy" "execution" {
  name = "pull-image-read-secrets-write-logs"
  role = aws_iam_role.execution.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid = "AuthenticateToEcr"
        # GetAuthorizationToken has no resource-level permissions.
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid    = "PullFromThisRepository"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
        ]
        Resource = var.repository_arn
      },
      {
        Sid      = "ReadTheseSecrets"
        Effect   = "Allow"
        Action   = "secretsmanager:GetSecretValue"
        Resource = var.secret_arns
      },
      {
        Sid      = "WriteThisLogGroup"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.this.arn}:*"
      },
    ]
  })
}

resource "aws_iam_role" "task" {
  name               = "${var.family}-task"
  description        = "The ${var.role} application itself: may write its own logs and nothing else"
  assume_role_policy = local.ecs_tasks_trust
}

resource "aws_iam_role_policy" "task" {
  name = "write-own-logs"
  role = aws_iam_role.task.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid      = "WriteThisLogGroup"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
      Resource = "${aws_cloudwatch_log_group.this.arn}:*"
    }]
  })
}

locals {
  ecs_tasks_trust = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ecs-tasks.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })
}

# The task's identity on the network: inbound rules are added by whoever
# exposes it (ecs-service); outbound is limited to the VPC and HTTPS.
resource "aws_security_group" "this" {
  #checkov:skip=CKV2_AWS_5:Attached to the task's network interface by the ECS service (modules/ecs-service) or by the run-task command for migrate; the check cannot follow either.
  name        = var.family
  description = "Tasks of ${var.family}"
  vpc_id      = var.vpc_id

  tags = { Name = var.family }
}

resource "aws_vpc_security_group_egress_rule" "vpc" {
  security_group_id = aws_security_group.this.id
  description       = "Other services, the database and the VPC endpoints"
  ip_protocol       = "tcp"
  from_port         = 0
  to_port           = 65535
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to AWS APIs without a VPC endpoint (S3 layers, STS) through NAT"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_ecs_task_definition" "this" {
  family                   = var.family
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  execution_role_arn       = aws_iam_role.execution.arn
  task_role_arn            = aws_iam_role.task.arn

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = "X86_64"
  }

  # A volume without a host path is task-scoped ephemeral storage on
  # Fargate; it starts with the image's /tmp contents and permissions.
  volume {
    name = "tmp"
  }

  container_definitions = jsonencode([local.container])
}

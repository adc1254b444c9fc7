data "aws_elb_service_account" "current" {}

locals {
  https = var.certificate_arn != null

  listener_ports = local.https ? [80, 443] : [80]
}

resource "aws_security_group" "this" {
  name        = "${var.name}-alb"
  description = "Internet to the ${var.name} load balancer"
  vpc_id      = var.vpc_id

  tags = { Name = "${var.name}-alb" }
}

resource "aws_vpc_security_group_ingress_rule" "listeners" {
  #checkov:skip=CKV_AWS_260:The load balancer is the public entry point; port 80 only redirects to HTTPS when a certificate is set.
  for_each = toset([for port in local.listener_ports : tostring(port)])

  security_group_id = aws_security_group.this.id
  description       = "Public traffic on ${each.key}"
  ip_protocol       = "tcp"
  from_port         = tonumber(each.key)
  to_port           = tonumber(each.key)
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "targets" {
  security_group_id = aws_security_group.this.id
  description       = "Requests and health checks to the gateway tasks"
  ip_protocol       = "tcp"
  from_port         = var.target_port
  to_port           = var.target_port
  cidr_ipv4         = var.vpc_cidr
}

resource "aws_lb" "this" {
  #checkov:skip=CKV2_AWS_28:No WAF: the API authenticates every call and throttles per user and per address; a web ACL is a separate cost decision.
  #checkov:skip=CKV_AWS_150:Deletion protection is per environment (deletion_protection): on in prod, off where environments are torn down.
  #checkov:skip=CKV_AWS_91:Access logs are per environment (access_logs_enabled): on in prod.
  name                       = var.name
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = var.subnet_ids
  security_groups            = [aws_security_group.this.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection
  idle_timeout               = 60

  access_logs {
    enabled = var.access_logs_enabled
    bucket  = var.access_logs_enabled ? aws_s3_bucket.access_logs[0].id : ""
    prefix  = var.name
  }

  depends_on = [aws_s3_bucket_policy.access_logs]
}

resource "aws_lb_target_group" "this" {
  #checkov:skip=CKV_AWS_378:TLS ends at the load balancer; traffic to the tasks stays in the private subnets, where gunicorn serves plain HTTP.
  name        = "${var.name}-gateway"
  vpc_id      = var.vpc_id
  target_type = "ip"
  protocol    = "HTTP"
  port        = var.target_port

  # Give in-flight requests time to finish, but less than gunicorn's 25 s
  # graceful shutdown so nothing is cut off.
  deregistration_delay = 20

  # /health needs no database and answers for any Host header, which here
  # is the task's private IP.
  health_check {
    path                = "/health"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "http" {
  #checkov:skip=CKV_AWS_2:Port 80 redirects to HTTPS whenever a certificate is given; plain HTTP only serves dev without one.
  #checkov:skip=CKV_AWS_103:TLS applies to the HTTPS listener; this one redirects (or serves dev without a certificate).
  #checkov:skip=CKV2_AWS_20:HTTP redirects to HTTPS whenever a certificate is given; dev without one has nothing to redirect to.
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.https ? "redirect" : "forward"
    target_group_arn = local.https ? null : aws_lb_target_group.this.arn

    dynamic "redirect" {
      for_each = local.https ? [1] : []

      content {
        protocol    = "HTTPS"
        port        = "443"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "https" {
  count = local.https ? 1 : 0

  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}

# Access logs: load balancers only write to buckets with S3-managed keys.
resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_145:Load balancer access logs only support SSE-S3, not KMS.
  #checkov:skip=CKV_AWS_144:Access logs are diagnostic; copying them to a second region is not worth the cost.
  #checkov:skip=CKV_AWS_18:This bucket is itself a log destination; logging it would need another bucket, endlessly.
  #checkov:skip=CKV2_AWS_62:Nothing consumes events for new log files.
  count = var.access_logs_enabled ? 1 : 0

  bucket_prefix = "${var.name}-alb-logs-"
  force_destroy = false
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket                  = aws_s3_bucket.access_logs[0].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_versioning" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 7
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  count = var.access_logs_enabled ? 1 : 0

  bucket = aws_s3_bucket.access_logs[0].id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "LoadBalancerWritesLogs"
        Effect    = "Allow"
        Principal = { AWS = data.aws_elb_service_account.current.arn }
        Action    = "s3:PutObject"
        Resource  = "${aws_s3_bucket.access_logs[0].arn}/${var.name}/AWSLogs/*"
      },
      {
        Sid       = "DenyPlainHttp"
        Effect    = "Deny"
        Principal = "*"
        Action    = "s3:*"
        Resource  = [aws_s3_bucket.access_logs[0].arn, "${aws_s3_bucket.access_logs[0].arn}/*"]
        Condition = { Bool = { "aws:SecureTransport" = "false" } }
      },
    ]
  })
}

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
  alb    = ["LoadBalancer", var.load_balancer_arn_suffix]
  roles  = sort(keys(var.service_names))

  alarm_actions = [aws_sns_topic.this.arn]
}

resource "aws_sns_topic" "this" {
  #checkov:skip=CKV_AWS_26:CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and alarm texts carry no secrets.
  name = "${var.name}-alarms"
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == null ? 0 : 1

  topic_arn = aws_sns_topic.this.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

resource "aws_cloudwatch_metric_alarm" "service_cpu" {
  for_each = var.service_names

  alarm_name          = "${each.value}-cpu-high"
  alarm_description   = "The ${each.key} service has used more than ${var.cpu_alarm_percent}% CPU for 10 minutes; autoscaling may be at its maximum."
  namespace           = "AWS/ECS"
  metric_name         = "CPUUtilization"
  dimensions          = { ClusterName = var.cluster_name, ServiceName = each.value }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.cpu_alarm_percent
  treat_missing_data  = "missing"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  alarm_name          = "${var.name}-5xx-rate"
  alarm_description   = "More than ${var.error_rate_alarm_percent}% of requests through the load balancer ended in a 5xx answer (from the gateway or the load balancer itself)."
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.error_rate_alarm_percent
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  # No traffic means no errors.
  treat_missing_data = "notBreaching"
  alarm_actions      = local.alarm_actions
  ok_actions         = local.alarm_actions

  metric_query {
    id          = "error_rate"
    label       = "5xx share of requests (%)"
    expression  = "IF(requests > 0, 100 * (FILL(target_5xx, 0) + FILL(elb_5xx, 0)) / requests, 0)"
    return_data = true
  }

  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "target_5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }

  metric_query {
    id = "elb_5xx"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      dimensions  = { LoadBalancer = var.load_balancer_arn_suffix }
      stat        = "Sum"
      period      = 60
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "unhealthy_hosts" {
  alarm_name          = "${var.name}-unhealthy-gateway-tasks"
  alarm_description   = "The load balancer sees at least one gateway task failing its /health check."
  namespace           = "AWS/ApplicationELB"
  metric_name         = "UnHealthyHostCount"
  dimensions          = { LoadBalancer = var.load_balancer_arn_suffix, TargetGroup = var.target_group_arn_suffix }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "db_free_storage" {
  alarm_name          = "${var.name}-db-free-storage-low"
  alarm_description   = "The database has less than ${floor(var.db_free_storage_threshold_bytes / 1073741824)} GiB free; storage autoscaling may be at its ceiling."
  namespace           = "AWS/RDS"
  metric_name         = "FreeStorageSpace"
  dimensions          = { DBInstanceIdentifier = var.db_instance_identifier }
  statistic           = "Minimum"
  period              = 300
  evaluation_periods  = 2
  comparison_operator = "LessThanThreshold"
  threshold           = var.db_free_storage_threshold_bytes
  treat_missing_data  = "breaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

locals {
  # The application writes these as CloudWatch Embedded Metric Format lines;
  # SEARCH picks up every route and status class without listing them here.
  emf_request_search = "{StockWiz,Role,Route,StatusClass} MetricName=\"RequestCount\""
  emf_latency_search = "{StockWiz,Role,Route,StatusClass} MetricName=\"RequestLatency\""
  emf_stock_metrics  = ["StockAdjustments", "StockTransfers", "InsufficientStockRefusals"]

  widgets = [
    {
      title   = "Service CPU (%)"
      metrics = [for role in local.roles : ["AWS/ECS", "CPUUtilization", "ClusterName", var.cluster_name, "ServiceName", var.service_names[role], { label = role }]]
      stat    = "Average"
    },
    {
      title   = "Service memory (%)"
      metrics = [for role in local.roles : ["AWS/ECS", "MemoryUtilization", "ClusterName", var.cluster_name, "ServiceName", var.service_names[role], { label = role }]]
      stat    = "Average"
    },
    {
      title = "Load balancer requests and errors"
      metrics = [
        concat(["AWS/ApplicationELB", "RequestCount"], local.alb, [{ label = "requests" }]),
        concat(["AWS/ApplicationELB", "HTTPCode_Target_4XX_Count"], local.alb, [{ label = "4xx" }]),
        concat(["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"], local.alb, [{ label = "5xx from the gateway" }]),
        concat(["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"], local.alb, [{ label = "5xx from the load balancer" }]),
      ]
      stat = "Sum"
    },
    {
      title = "Target response time (s)"
      metrics = [
        concat(["AWS/ApplicationELB", "TargetResponseTime"], local.alb, [{ stat = "p50", label = "p50" }]),
        concat(["AWS/ApplicationELB", "TargetResponseTime"], local.alb, [{ stat = "p99", label = "p99" }]),
      ]
      stat = "p50"
    },
    {
      title = "Gateway tasks seen by the load balancer"
      metrics = [
        ["AWS/ApplicationELB", "HealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.load_balancer_arn_suffix, { label = "healthy" }],
        ["AWS/ApplicationELB", "UnHealthyHostCount", "TargetGroup", var.target_group_arn_suffix, "LoadBalancer", var.load_balancer_arn_suffix, { label = "unhealthy" }],
      ]
      stat = "Minimum"
    },
    {
      title   = "Database CPU (%)"
      metrics = [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", var.db_instance_identifier]]
      stat    = "Average"
    },
    {
      title   = "Database connections"
      metrics = [["AWS/RDS", "DatabaseConnections", "DBInstanceIdentifier", var.db_instance_identifier]]
      stat    = "Maximum"
    },
    {
      title   = "Database free storage (bytes)"
      metrics = [["AWS/RDS", "FreeStorageSpace", "DBInstanceIdentifier", var.db_instance_identifier]]
      stat    = "Minimum"
    },
    {
      title   = "StockWiz requests by role, route and status class"
      metrics = [[{ expression = "SEARCH('${local.emf_request_search}', 'Sum', 300)", id = "requests" }]]
      stat    = "Sum"
    },
    {
      title   = "StockWiz request latency p99 (ms)"
      metrics = [[{ expression = "SEARCH('${local.emf_latency_search}', 'p99', 300)", id = "latency" }]]
      stat    = "p99"
    },
    {
      title = "Stock movements and refusals"
      metrics = [for index, metric in local.emf_stock_metrics : [{
        expression = "SEARCH('{StockWiz,Role} MetricName=\"${metric}\"', 'Sum', 300)"
        id         = "stock${index}"
      }]]
      stat = "Sum"
    },
  ]
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name

  dashboard_body = jsonencode({
    widgets = [for index, widget in local.widgets : {
      type   = "metric"
      width  = 12
      height = 6
      x      = (index % 2) * 12
      y      = floor(index / 2) * 6
      properties = {
        title   = widget.title
        metrics = widget.metrics
        stat    = widget.stat
        region  = local.region
        period  = 300
        view    = "timeSeries"
        stacked = false
      }
    }]
  })
}

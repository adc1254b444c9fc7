output "sns_topic_arn" {
  description = "Topic every alarm notifies."
  value       = aws_sns_topic.this.arn
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "alarms" {
  description = "Every alarm by a stable key, with its comparison and threshold, for the plan tests and runbooks."
  value = merge(
    { for role, alarm in aws_cloudwatch_metric_alarm.service_cpu : "cpu_${role}" => {
      name       = alarm.alarm_name
      comparison = alarm.comparison_operator
      threshold  = alarm.threshold
    } },
    {
      alb_5xx_rate = {
        name       = aws_cloudwatch_metric_alarm.alb_5xx_rate.alarm_name
        comparison = aws_cloudwatch_metric_alarm.alb_5xx_rate.comparison_operator
        threshold  = aws_cloudwatch_metric_alarm.alb_5xx_rate.threshold
      }
      unhealthy_hosts = {
        name       = aws_cloudwatch_metric_alarm.unhealthy_hosts.alarm_name
        comparison = aws_cloudwatch_metric_alarm.unhealthy_hosts.comparison_operator
        threshold  = aws_cloudwatch_metric_alarm.unhealthy_hosts.threshold
      }
      db_free_storage = {
        name       = aws_cloudwatch_metric_alarm.db_free_storage.alarm_name
        comparison = aws_cloudwatch_metric_alarm.db_free_storage.comparison_operator
        threshold  = aws_cloudwatch_metric_alarm.db_free_storage.threshold
      }
    },
  )
}

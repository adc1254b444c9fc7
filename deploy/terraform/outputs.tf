output "alb_url" {
  description = "Base URL of StockWiz through the load balancer."
  value       = module.alb.url
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.ecs_cluster.cluster_name
}

output "ecs_service_names" {
  description = "ECS service name per role."
  value       = { for role, service in module.service : role => service.service_name }
}

output "ecr_repository_url" {
  description = "Repository to push the StockWiz image to, tagged with image_tag."
  value       = module.ecr.repository_url
}

output "image" {
  description = "Image reference every task runs."
  value       = local.image
}

output "migrate_task_definition_arn" {
  description = "Task definition revision that applies the database migrations."
  value       = module.migrate.task_definition_arn
}

output "migrate_network_configuration" {
  description = "JSON for the --network-configuration argument of aws ecs run-task: private subnets, the migrate security group, no public address."
  value       = local.migrate_network_configuration
}

output "migrate_run_task_command" {
  description = "The aws ecs run-task command that starts the migrate task; it prints the task ARN."
  value = join(" ", [
    "aws ecs run-task",
    "--region ${var.aws_region}",
    "--cluster ${module.ecs_cluster.cluster_name}",
    "--launch-type FARGATE",
    "--task-definition ${module.migrate.task_definition_arn}",
    "--network-configuration '${local.migrate_network_configuration}'",
    "--started-by migrate",
    "--query 'tasks[0].taskArn' --output text",
  ])
}

output "migrate_log_group_name" {
  description = "Log group of the migrate task."
  value       = module.migrate.log_group_name
}

output "sns_alarm_topic_arn" {
  description = "Topic every alarm notifies; subscribe more endpoints to it as needed."
  value       = module.monitoring.sns_topic_arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard of the environment."
  value       = module.monitoring.dashboard_name
}

output "database_address" {
  description = "Private host name of the PostgreSQL instance."
  value       = module.rds.address
}

output "service_name" {
  description = "Name of the ECS service."
  value       = aws_ecs_service.this.name
}

output "role" {
  description = "The ROLE this service runs."
  value       = var.role
}

output "task_definition_arn" {
  description = "Task definition revision the service runs."
  value       = module.task.task_definition_arn
}

output "container_environment" {
  description = "Plain environment variables of the container."
  value       = module.task.container_environment
}

output "container_secret_names" {
  description = "Names of the environment variables filled from Secrets Manager."
  value       = module.task.container_secret_names
}

output "security_group_id" {
  description = "Security group of the service's tasks."
  value       = module.task.security_group_id
}

output "load_balancer_attached" {
  description = "Whether the service's tasks are registered in a load balancer target group."
  value       = var.load_balancer != null
}

output "allowed_source_labels" {
  description = "Labels of the security groups allowed to reach the container port."
  value       = sort(keys(aws_vpc_security_group_ingress_rule.container_port))
}

output "autoscaling_policy_types" {
  description = "Metrics autoscaling tracks for this service."
  value = concat(
    [aws_appautoscaling_policy.cpu.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type],
    [for policy in aws_appautoscaling_policy.requests : policy.target_tracking_scaling_policy_configuration[0].predefined_metric_specification[0].predefined_metric_type],
  )
}

output "log_group_name" {
  description = "Log group of the container."
  value       = module.task.log_group_name
}

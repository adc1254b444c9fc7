output "task_definition_arn" {
  description = "ARN of this revision of the task definition."
  value       = aws_ecs_task_definition.this.arn
}

output "family" {
  description = "Task definition family."
  value       = aws_ecs_task_definition.this.family
}

output "container_name" {
  description = "Name of the one container in the task."
  value       = local.container.name
}

output "container_environment" {
  description = "Plain environment variables of the container."
  value       = local.environment
}

output "container_secret_names" {
  description = "Names of the environment variables filled from Secrets Manager."
  value       = sort(keys(var.secrets))
}

output "security_group_id" {
  description = "Security group of the task's network interface."
  value       = aws_security_group.this.id
}

output "log_group_name" {
  description = "Log group of the container."
  value       = aws_cloudwatch_log_group.this.name
}

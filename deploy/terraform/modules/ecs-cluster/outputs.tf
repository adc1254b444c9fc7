output "cluster_name" {
  description = "Name of the ECS cluster."
  value       = aws_ecs_cluster.this.name
}

output "cluster_arn" {
  description = "ARN of the ECS cluster."
  value       = aws_ecs_cluster.this.arn
}

output "discovery_namespace_id" {
  description = "ID of the Cloud Map namespace the services register in."
  value       = aws_service_discovery_private_dns_namespace.this.id
}

output "discovery_domain" {
  description = "Private DNS domain of the services."
  value       = aws_service_discovery_private_dns_namespace.this.name
}

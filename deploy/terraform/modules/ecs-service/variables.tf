variable "name" {
  type        = string
  description = "Service name, also the task definition family, e.g. stockwiz-dev-product."
}

variable "role" {
  type        = string
  description = "Which part of StockWiz this service runs; becomes the container's ROLE."

  validation {
    condition     = contains(["product", "inventory", "gateway"], var.role)
    error_message = "role must be product, inventory or gateway."
  }
}

variable "cluster_name" {
  type        = string
  description = "ECS cluster the service runs in."
}

variable "image" {
  type        = string
  description = "Full image reference, repository URL and tag."
}

variable "repository_arn" {
  type        = string
  description = "ECR repository the tasks pull from."
}

variable "cpu" {
  type        = number
  description = "Fargate CPU units per task."
}

variable "memory" {
  type        = number
  description = "Memory per task in MiB."
}

variable "container_port" {
  type        = number
  description = "Port the container serves HTTP on."
}

variable "environment" {
  type        = map(string)
  description = "Plain environment variables of the container."
}

variable "secrets" {
  type        = map(string)
  description = "Environment variables filled by ECS from Secrets Manager: name to secret ARN (with optional JSON key suffix)."
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets Manager ARNs the task may read at start-up."
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group of the container."
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep the container logs."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the tasks."
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the VPC."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets the tasks run in."
}

variable "discovery_namespace_id" {
  type        = string
  description = "Cloud Map namespace the tasks register in as <role>.<domain>."
}

variable "allowed_sources" {
  type        = map(string)
  description = "Security groups allowed to reach the container port, keyed by a stable label (e.g. alb, gateway)."
}

variable "load_balancer" {
  type = object({
    target_group_arn    = string
    resource_label      = string
    requests_per_target = number
  })
  description = "Register the tasks in this target group and also scale on its requests per task (resource_label is <load balancer ARN suffix>/<target group ARN suffix>), or null for a service reached only by its private name."
  default     = null
}

variable "min_count" {
  type        = number
  description = "Fewest running tasks; also the count at creation."

  validation {
    condition     = var.min_count >= 1
    error_message = "min_count must be at least 1."
  }
}

variable "max_count" {
  type        = number
  description = "Most running tasks autoscaling may start."
}

variable "cpu_target_percent" {
  type        = number
  description = "Average CPU utilisation autoscaling keeps the service at."
  default     = 60
}

variable "health_check_grace_period_seconds" {
  type        = number
  description = "Seconds after start during which failing health checks do not stop a task."
  default     = 60
}

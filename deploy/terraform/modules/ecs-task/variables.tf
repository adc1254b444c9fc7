variable "family" {
  type        = string
  description = "Task definition family, also the name of its roles and security group, e.g. stockwiz-dev-product."
}

variable "role" {
  type        = string
  description = "What the container runs; becomes its ROLE variable."

  validation {
    condition     = contains(["product", "inventory", "gateway", "migrate"], var.role)
    error_message = "role must be product, inventory, gateway or migrate."
  }
}

variable "image" {
  type        = string
  description = "Full image reference, repository URL and tag."
}

variable "repository_arn" {
  type        = string
  description = "ECR repository the execution role may pull from."
}

variable "cpu" {
  type        = number
  description = "Fargate CPU units for the task."

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096], var.cpu)
    error_message = "cpu must be a Fargate size: 256, 512, 1024, 2048 or 4096."
  }
}

variable "memory" {
  type        = number
  description = "Memory of the task in MiB; must be a valid Fargate pairing with cpu."
}

variable "container_port" {
  type        = number
  description = "Port the container serves HTTP on, or null for a one-off task that serves nothing."
  default     = null
}

variable "environment" {
  type        = map(string)
  description = "Plain environment variables, added to ROLE, PORT, HOST and the /tmp settings this module sets."
}

variable "secrets" {
  type        = map(string)
  description = "Environment variables filled by ECS from Secrets Manager: name to secret ARN, optionally with a JSON key suffix (<arn>:password::)."
}

variable "secret_arns" {
  type        = list(string)
  description = "Secrets Manager ARNs (without JSON key suffixes) the execution role may read; must cover every entry of secrets."
}

variable "log_group_name" {
  type        = string
  description = "CloudWatch log group the container's stdout goes to."
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep the container logs."
}

variable "vpc_id" {
  type        = string
  description = "VPC the task's security group belongs to."
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the VPC; the task may open connections anywhere inside it."
}

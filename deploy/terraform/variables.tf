variable "environment" {
  type        = string
  description = "Which StockWiz environment this is; every name starts with stockwiz-<environment>. Must match the selected workspace."

  validation {
    condition     = contains(["dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod."
  }
}

variable "aws_region" {
  type        = string
  description = "AWS region everything is created in, e.g. eu-west-1."

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region name such as eu-west-1."
  }
}

variable "image_tag" {
  type        = string
  description = "Tag of the StockWiz image in the ECR repository that every task runs. Roll back by setting an earlier tag."

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag)) && var.image_tag != "latest"
    error_message = "image_tag must be a valid Docker tag other than \"latest\" (tags are immutable, so \"latest\" could never move)."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "The two zones of aws_region the VPC spans, e.g. [\"eu-west-1a\", \"eu-west-1b\"]."

  validation {
    condition     = length(var.availability_zones) == 2 && alltrue([for zone in var.availability_zones : startswith(zone, var.aws_region)])
    error_message = "availability_zones must name two zones of aws_region."
  }
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the environment's VPC."
  default     = "10.20.0.0/16"
}

variable "nat_gateways" {
  type        = string
  description = "\"single\": one NAT gateway for both zones; \"per_az\": one per zone, for outbound traffic that survives losing a zone."

  validation {
    condition     = contains(["single", "per_az"], var.nat_gateways)
    error_message = "nat_gateways must be \"single\" or \"per_az\"."
  }
}

variable "services" {
  type = map(object({
    cpu       = number
    memory    = number
    min_count = number
    max_count = number
  }))
  description = "Size and task count range of each service, keyed by role (product, inventory, gateway). cpu in Fargate units, memory in MiB."

  validation {
    condition     = toset(keys(var.services)) == toset(["product", "inventory", "gateway"])
    error_message = "services must have exactly the keys product, inventory and gateway."
  }

  validation {
    condition     = alltrue([for service in values(var.services) : service.min_count >= 1 && service.min_count <= service.max_count])
    error_message = "Each service needs 1 <= min_count <= max_count."
  }
}

variable "gateway_requests_per_target" {
  type        = number
  description = "Load balancer requests per gateway task per minute that autoscaling aims for, alongside CPU."
  default     = 1000
}

variable "web_concurrency" {
  type        = number
  description = "gunicorn worker processes per task (WEB_CONCURRENCY)."
  default     = 2
}

variable "log_level" {
  type        = string
  description = "Application log level (LOG_LEVEL)."
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARNING", "ERROR"], var.log_level)
    error_message = "log_level must be DEBUG, INFO, WARNING or ERROR."
  }
}

variable "log_retention_days" {
  type        = number
  description = "Days to keep container logs and VPC flow logs."

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts, e.g. 14, 30, 90 or 365."
  }
}

variable "ecr_keep_images" {
  type        = number
  description = "How many most recent images the repository keeps; the oldest tag you can roll back to."
  default     = 30
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate ARN for HTTPS on the load balancer; null serves plain HTTP, which only dev may do."
  default     = null

  validation {
    condition     = var.certificate_arn != null || var.environment == "dev"
    error_message = "Only dev may run without a certificate_arn (plain HTTP)."
  }
}

variable "domain_names" {
  type        = list(string)
  description = "Public host names pointed at the load balancer (e.g. stockwiz.example.com); added to ALLOWED_HOSTS and CSRF_TRUSTED_ORIGINS."
  default     = []
}

variable "alarm_email" {
  type        = string
  description = "E-mail address subscribed to the alarm topic, or null for no subscription."
  default     = null
}

variable "redis_url" {
  type        = string
  description = "Optional Redis URL for the shared cache (REDIS_URL); empty leaves caching off. No Redis is created here."
  default     = ""
  sensitive   = true
}

variable "db_instance_class" {
  type        = string
  description = "RDS instance size, e.g. db.t4g.micro."
}

variable "db_allocated_storage_gb" {
  type        = number
  description = "Initial database storage in GiB."
  default     = 20
}

variable "db_max_allocated_storage_gb" {
  type        = number
  description = "Database storage autoscaling ceiling in GiB."
  default     = 100
}

variable "db_backup_retention_days" {
  type        = number
  description = "Days of automated database backups."
}

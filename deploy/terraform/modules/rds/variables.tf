variable "name" {
  type        = string
  description = "Identifier of the database instance and its companions, e.g. stockwiz-dev."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the database."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Private subnets in two zones."
}

variable "allowed_sources" {
  type        = map(string)
  description = "Security groups allowed to connect on 5432, keyed by a stable label (e.g. product, migrate)."
}

variable "engine_version" {
  type        = string
  description = "PostgreSQL major version; minor versions upgrade automatically."
  default     = "16"

  validation {
    condition     = can(regex("^(1[5-9]|[2-9][0-9])$", var.engine_version))
    error_message = "engine_version must be a PostgreSQL major version, 15 or newer, e.g. \"16\"."
  }
}

variable "instance_class" {
  type        = string
  description = "Instance size, e.g. db.t4g.micro."
}

variable "allocated_storage_gb" {
  type        = number
  description = "Initial storage in GiB."
}

variable "max_allocated_storage_gb" {
  type        = number
  description = "Storage autoscaling ceiling in GiB."
}

variable "backup_retention_days" {
  type        = number
  description = "Days of automated backups (point-in-time recovery window)."

  validation {
    condition     = var.backup_retention_days >= 1 && var.backup_retention_days <= 35
    error_message = "backup_retention_days must be between 1 and 35."
  }
}

variable "multi_az" {
  type        = bool
  description = "Keep a standby in a second zone that takes over on failure."
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse deletion, and take a final snapshot if it is deleted anyway."
}

variable "database_name" {
  type        = string
  description = "Name of the application database."
  default     = "stockwiz"
}

variable "master_username" {
  type        = string
  description = "Master user the application connects as; its password is generated and kept by RDS in Secrets Manager."
  default     = "stockwiz"
}

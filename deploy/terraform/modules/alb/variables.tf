variable "name" {
  type        = string
  description = "Name of the load balancer and its companions, e.g. stockwiz-dev."
}

variable "vpc_id" {
  type        = string
  description = "VPC of the load balancer and its targets."
}

variable "vpc_cidr" {
  type        = string
  description = "Address range of the VPC; the load balancer only sends traffic inside it."
}

variable "subnet_ids" {
  type        = list(string)
  description = "Public subnets, one per zone."
}

variable "target_port" {
  type        = number
  description = "Port the gateway containers listen on."
}

variable "certificate_arn" {
  type        = string
  description = "ACM certificate for HTTPS. With one, HTTP redirects to HTTPS; without, the load balancer serves plain HTTP (dev only)."
  default     = null
}

variable "deletion_protection" {
  type        = bool
  description = "Refuse to delete the load balancer until this is turned off."
}

variable "access_logs_enabled" {
  type        = bool
  description = "Write access logs to an S3 bucket created for them."
}

variable "access_log_retention_days" {
  type        = number
  description = "Days to keep access logs when they are enabled."
  default     = 90
}

variable "name" {
  type        = string
  description = "Cluster name, e.g. stockwiz-dev."
}

variable "vpc_id" {
  type        = string
  description = "VPC in which the private service names resolve."
}

variable "discovery_domain" {
  type        = string
  description = "Private DNS domain the services register under, e.g. stockwiz.local gives product.stockwiz.local."
}

variable "name" {
  type        = string
  description = "Name prefix of every resource, e.g. stockwiz-dev."
}

variable "cidr_block" {
  type        = string
  description = "Address range of the VPC; split into two public and two private subnets."

  validation {
    condition     = can(cidrnetmask(var.cidr_block))
    error_message = "cidr_block must be an IPv4 CIDR such as 10.20.0.0/16."
  }
}

variable "availability_zones" {
  type        = list(string)
  description = "The two zones to spread subnets over, e.g. [\"eu-west-1a\", \"eu-west-1b\"]; named, so the layout never moves when AWS adds a zone."

  validation {
    condition     = length(var.availability_zones) == 2 && length(distinct(var.availability_zones)) == 2
    error_message = "availability_zones must name two different zones."
  }
}

variable "nat_gateways" {
  type        = string
  description = "\"single\": one NAT gateway shared by both zones (cheaper); \"per_az\": one per zone, so losing a zone keeps outbound traffic working."

  validation {
    condition     = contains(["single", "per_az"], var.nat_gateways)
    error_message = "nat_gateways must be \"single\" or \"per_az\"."
  }
}

variable "flow_log_retention_days" {
  type        = number
  description = "Days to keep the VPC flow logs."
}

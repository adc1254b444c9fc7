output "vpc_id" {
  description = "ID of the VPC."
  value       = aws_vpc.this.id
}

output "cidr_block" {
  description = "Address range of the VPC."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_ids" {
  description = "Subnets for the load balancer, one per zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "Subnets for the tasks and the database, one per zone."
  value       = aws_subnet.private[*].id
}

output "nat_gateway_count" {
  description = "Number of NAT gateways created."
  value       = length(aws_nat_gateway.this)
}

output "ingress_cidr_rules" {
  description = "Every address-range ingress rule this module creates, for the plan tests."
  value = [{
    cidr      = aws_vpc_security_group_ingress_rule.endpoints_https.cidr_ipv4
    from_port = aws_vpc_security_group_ingress_rule.endpoints_https.from_port
    to_port   = aws_vpc_security_group_ingress_rule.endpoints_https.to_port
  }]
}

output "dns_name" {
  description = "Public DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "url" {
  description = "Base URL of StockWiz through the load balancer."
  value       = "${local.https ? "https" : "http"}://${aws_lb.this.dns_name}"
}

output "security_group_id" {
  description = "Security group of the load balancer, the only source the gateway accepts."
  value       = aws_security_group.this.id
}

output "target_group_arn" {
  description = "Target group the gateway tasks register in."
  value       = aws_lb_target_group.this.arn
}

output "arn_suffix" {
  description = "Load balancer ARN suffix, the LoadBalancer dimension of its CloudWatch metrics."
  value       = aws_lb.this.arn_suffix
}

output "target_group_arn_suffix" {
  description = "Target group ARN suffix, the TargetGroup dimension of its CloudWatch metrics."
  value       = aws_lb_target_group.this.arn_suffix
}

output "http_listener_action" {
  description = "What the port 80 listener does: redirect (to HTTPS) or forward."
  value       = aws_lb_listener.http.default_action[0].type
}

output "ingress_cidr_rules" {
  description = "Every address-range ingress rule this module creates, for the plan tests."
  value = [for rule in aws_vpc_security_group_ingress_rule.listeners : {
    cidr      = rule.cidr_ipv4
    from_port = rule.from_port
    to_port   = rule.to_port
  }]
}

output "identifier" {
  description = "Identifier of the database instance, the DBInstanceIdentifier metric dimension."
  value       = aws_db_instance.this.identifier
}

output "address" {
  description = "Host name the application connects to."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port the database listens on."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "Name of the application database."
  value       = aws_db_instance.this.db_name
}

output "master_username" {
  description = "User the application connects as."
  value       = aws_db_instance.this.username
}

output "master_user_secret_arn" {
  description = "Secrets Manager secret RDS keeps the master password in (JSON with a password key)."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}

output "allocated_storage_gb" {
  description = "Initial storage in GiB."
  value       = aws_db_instance.this.allocated_storage
}

output "publicly_accessible" {
  description = "Whether the instance has a public address."
  value       = aws_db_instance.this.publicly_accessible
}

output "storage_encrypted" {
  description = "Whether storage is encrypted."
  value       = aws_db_instance.this.storage_encrypted
}

output "multi_az" {
  description = "Whether a standby runs in a second zone."
  value       = aws_db_instance.this.multi_az
}

output "deletion_protection" {
  description = "Whether deletion is refused."
  value       = aws_db_instance.this.deletion_protection
}

output "skip_final_snapshot" {
  description = "Whether deleting the instance skips the final snapshot."
  value       = aws_db_instance.this.skip_final_snapshot
}

output "ingress_cidr_rules" {
  description = "Every address-range ingress rule this module creates (none: only security groups), for the plan tests."
  value = [for rule in aws_vpc_security_group_ingress_rule.postgres : {
    cidr      = rule.cidr_ipv4
    from_port = rule.from_port
    to_port   = rule.to_port
  } if rule.cidr_ipv4 != null]
}

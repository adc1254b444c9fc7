output "secret_arn" {
  description = "ARN of the secret; referenced through its version so readers start only once a value exists."
  value       = aws_secretsmanager_secret_version.this.arn
}

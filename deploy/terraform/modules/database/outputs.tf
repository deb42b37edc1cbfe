output "address" {
  description = "The database's host name ([Cluster] Database's Host=)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "The database's port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "The database name."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "The silos' user."
  value       = aws_db_instance.this.username
}

output "password" {
  description = "The silos' password (PGPASSWORD in each silo's environment file)."
  value       = random_password.this.result
  sensitive   = true
}

output "security_group_id" {
  description = "The database's security group."
  value       = aws_security_group.database.id
}

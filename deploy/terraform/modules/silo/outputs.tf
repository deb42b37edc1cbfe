output "instance_ids" {
  description = "The instances, in the order of private_ips."
  value       = aws_instance.this[*].id
}

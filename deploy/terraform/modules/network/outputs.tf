output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "vpc_cidr" {
  description = "The VPC's address range."
  value       = aws_vpc.this.cidr_block
}

output "public_subnet_id" {
  description = "The public subnet (gateways)."
  value       = aws_subnet.public.id
}

output "public_subnet_cidr" {
  description = "The public subnet's range."
  value       = aws_subnet.public.cidr_block
}

output "sealing_subnet_id" {
  description = "The sealing silos' private subnet."
  value       = aws_subnet.sealing.id
}

output "sealing_subnet_cidr" {
  description = "The sealing subnet's range."
  value       = aws_subnet.sealing.cidr_block
}

output "proving_subnet_id" {
  description = "The proving silos' private subnet."
  value       = aws_subnet.proving.id
}

output "proving_subnet_cidr" {
  description = "The proving subnet's range."
  value       = aws_subnet.proving.cidr_block
}

output "database_subnet_ids" {
  description = "The two private subnets of the database subnet group."
  value       = aws_subnet.database[*].id
}

output "silo_security_group_id" {
  description = "The security group every silo carries (cluster ports from the VPC); the database admits it."
  value       = aws_security_group.silo.id
}

output "nat_public_ip" {
  description = "The NAT gateway's address: what the private silos' egress comes from."
  value       = aws_eip.nat.public_ip
}

output "public_multiaddrs" {
  description = "The gateways' public libp2p multiaddrs (for `granary actor set-addrs`)."
  value       = [for e in aws_eip.this : "/ip4/${e.public_ip}/tcp/${var.libp2p_port}"]
}

output "retrieval_urls" {
  description = "The gateways' public HTTP retrieval endpoints."
  value       = [for e in aws_eip.this : "http://${e.public_ip}:${var.retrieval_port}"]
}

output "api_endpoints" {
  description = "The gateways' JSON-RPC API multiaddrs (reachable from inside the VPC only)."
  value       = [for ip in local.private_ips : "/ip4/${ip}/tcp/${var.api_port}/http"]
}

output "private_ips" {
  description = "The gateways' private addresses."
  value       = local.private_ips
}

output "public_ips" {
  description = "The gateways' elastic IPs."
  value       = aws_eip.this[*].public_ip
}

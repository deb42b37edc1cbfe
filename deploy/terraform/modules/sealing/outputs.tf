output "api_endpoints" {
  description = "The sealing silos' JSON-RPC API multiaddrs (reachable from inside the VPC only)."
  value       = [for ip in local.private_ips : "/ip4/${ip}/tcp/${var.api_port}/http"]
}

output "private_ips" {
  description = "The sealing silos' private addresses."
  value       = local.private_ips
}

output "instance_ids" {
  description = "The sealing instances."
  value       = module.silo.instance_ids
}

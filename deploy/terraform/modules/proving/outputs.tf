output "api_endpoints" {
  description = "The proving silos' JSON-RPC API multiaddrs (reachable from inside the VPC only)."
  value       = [for ip in local.private_ips : "/ip4/${ip}/tcp/${var.api_port}/http"]
}

output "private_ips" {
  description = "The proving silos' private addresses."
  value       = local.private_ips
}

output "instance_ids" {
  description = "The proving instances."
  value       = module.silo.instance_ids
}

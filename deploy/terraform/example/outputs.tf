output "gateway_multiaddrs" {
  description = "The gateways' public libp2p multiaddrs: `granary actor set-addrs` them so clients find the miner."
  value       = module.gateway.public_multiaddrs
}

output "gateway_retrieval_urls" {
  description = "The gateways' public HTTP retrieval endpoints."
  value       = module.gateway.retrieval_urls
}

output "api_endpoints" {
  description = "Every silo's JSON-RPC API multiaddr (from inside the VPC: SSM, a bastion or a VPN)."
  value = {
    markets = module.gateway.api_endpoints
    sealing = module.sealing.api_endpoints
    proving = module.proving.api_endpoints
  }
}

output "database_address" {
  description = "The cluster's PostgreSQL host (private)."
  value       = module.database.address
}

output "nat_public_ip" {
  description = "Where the private silos' egress comes from."
  value       = module.network.nat_public_ip
}

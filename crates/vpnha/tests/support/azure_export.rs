//! A generated Azure export of one active-active gateway and `n` on-premises devices, each
//! with its own connection, shaped like `az graph query` output (`{"data": [...]}`). Shared
//! by the scale test and the timing example.

/// The export as JSON text.
pub(crate) fn export(n: usize) -> String {
    let sub = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-scale/providers/Microsoft.Network";
    let gw = format!("{sub}/virtualNetworkGateways/vgw-scale");
    let ip_configurations: Vec<serde_json::Value> = [1, 2]
        .iter()
        .map(|k| {
            serde_json::json!({
                "name": format!("ipconfig-{k}"), "id": format!("{gw}/ipConfigurations/ipconfig-{k}"),
                "properties": {
                    "publicIPAddress": {"id": format!("{sub}/publicIPAddresses/pip-{k}")},
                    "subnet": {"id": format!("{sub}/virtualNetworks/vnet-scale/subnets/GatewaySubnet")}
                }
            })
        })
        .collect();
    let mut data = vec![
        serde_json::json!({
            "id": gw, "name": "vgw-scale", "type": "microsoft.network/virtualnetworkgateways",
            "properties": {
                "gatewayType": "Vpn", "vpnType": "RouteBased", "vpnGatewayGeneration": "Generation2",
                "activeActive": true, "enableBgp": true, "sku": {"name": "VpnGw4AZ", "tier": "VpnGw4AZ"},
                "ipConfigurations": ip_configurations,
                "bgpSettings": {"asn": 65515, "bgpPeeringAddress": "10.0.255.4,10.0.255.5"}
            }
        }),
        serde_json::json!({
            "id": format!("{sub}/virtualNetworks/vnet-scale"), "name": "vnet-scale",
            "type": "microsoft.network/virtualnetworks",
            "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                "subnets": [{"name": "GatewaySubnet", "properties": {"addressPrefix": "10.0.255.0/27"}}]}
        }),
    ];
    for k in 1..=2 {
        data.push(serde_json::json!({
            "id": format!("{sub}/publicIPAddresses/pip-{k}"), "name": format!("pip-{k}"),
            "type": "microsoft.network/publicipaddresses", "zones": [k.to_string()],
            "properties": {"ipAddress": format!("192.0.2.{k}"), "publicIPAllocationMethod": "Static"}
        }));
    }
    for i in 0..n {
        let lng = format!("{sub}/localNetworkGateways/lng-site-{i:03}");
        data.push(serde_json::json!({
            "id": lng, "name": format!("lng-site-{i:03}"), "type": "microsoft.network/localnetworkgateways",
            "properties": {
                "gatewayIpAddress": format!("198.51.100.{}", i % 250 + 1),
                "fqdn": format!("vpn-{i:03}.branches.example"),
                "bgpSettings": {"asn": 64512 + i, "bgpPeeringAddress": format!("172.16.{}.{}", i / 250, i % 250 + 1)}
            }
        }));
        data.push(serde_json::json!({
            "id": format!("{sub}/connections/cn-site-{i:03}"), "name": format!("cn-site-{i:03}"),
            "type": "microsoft.network/connections",
            "properties": {
                "connectionType": "IPsec", "connectionProtocol": "IKEv2", "enableBgp": true,
                "dpdTimeoutSeconds": 45, "sharedKey": format!("Key{i:03}ForSite"),
                "virtualNetworkGateway1": {"id": gw}, "localNetworkGateway2": {"id": lng},
                "ipsecPolicies": [{"saLifeTimeSeconds": 27000, "saDataSizeKilobytes": 102400000,
                    "ipsecEncryption": "GCMAES256", "ipsecIntegrity": "GCMAES256", "ikeEncryption": "AES256",
                    "ikeIntegrity": "SHA256", "dhGroup": "DHGroup14", "pfsGroup": "PFS2048"}]
            }
        }));
    }
    serde_json::to_string_pretty(&serde_json::json!({"count": data.len(), "data": data})).unwrap()
}

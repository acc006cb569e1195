"""Writes small GeoIP2-City and GeoLite2-ASN test databases with documentation networks.

Integration and unit tests look these addresses up; they are documentation
ranges (RFC 5737, RFC 3849) and documentation AS numbers (RFC 5398), so no real
address is ever placed on a map or credited to a real network.
Usage: make-geoip-db.py CITY_OUTPUT.mmdb [ASN_OUTPUT.mmdb]
"""

import sys

from mmdb_writer import MMDBWriter, MmdbF64, MmdbU16, MmdbU32
from netaddr import IPSet


def city(geoname_id, name, country_iso, country_name, subdivision_iso, subdivision_name, lat, lon, tz, postal):
    return {
        "city": {"geoname_id": MmdbU32(geoname_id), "names": {"en": name}},
        "continent": {"code": "EU" if country_iso in ("DE", "GB") else "NA", "names": {"en": "Europe" if country_iso in ("DE", "GB") else "North America"}},
        "country": {"iso_code": country_iso, "names": {"en": country_name}},
        "subdivisions": [{"iso_code": subdivision_iso, "names": {"en": subdivision_name}}],
        "location": {"latitude": MmdbF64(lat), "longitude": MmdbF64(lon), "time_zone": tz, "accuracy_radius": MmdbU16(20)},
        "postal": {"code": postal},
    }


NETWORKS = [
    ("192.0.2.0/24", city(2643743, "London", "GB", "United Kingdom", "ENG", "England", 51.5142, -0.0931, "Europe/London", "EC2V")),
    ("198.51.100.0/24", city(2950159, "Berlin", "DE", "Germany", "BE", "Land Berlin", 52.5244, 13.4105, "Europe/Berlin", "10115")),
    ("203.0.113.0/24", city(5391959, "San Francisco", "US", "United States", "CA", "California", 37.7749, -122.4194, "America/Los_Angeles", "94107")),
    ("2001:db8::/48", city(5128581, "New York", "US", "United States", "NY", "New York", 40.7128, -74.006, "America/New_York", "10001")),
    ("2001:db8:1::/48", city(2643743, "London", "GB", "United Kingdom", "ENG", "England", 51.5142, -0.0931, "Europe/London", "EC2V")),
]

# GeoLite2-ASN records: the AS number and its organisation. 2001:db8:2::/48 is only in
# this database, so a lookup can find the network's AS without a city.
ASN_NETWORKS = [
    ("192.0.2.0/24", 64496, "Example Transit Ltd (documentation AS)"),
    ("198.51.100.0/24", 64497, "Beispiel Netze GmbH (documentation AS)"),
    ("203.0.113.0/24", 64498, "Example Cloud Inc (documentation AS)"),
    ("2001:db8::/48", 64499, "Example IPv6 Carrier (documentation AS)"),
    ("2001:db8:2::/48", 65536, "Example 32-bit AS (documentation AS)"),
]


def write_asn(out):
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-ASN",
        languages=["en"],
        description={"en": "sluice test ASN database (documentation networks only)"},
    )
    for cidr, number, organization in ASN_NETWORKS:
        writer.insert_network(
            IPSet([cidr]),
            {"autonomous_system_number": MmdbU32(number), "autonomous_system_organization": organization},
        )
    writer.to_db_file(out)


def main():
    out = sys.argv[1]
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoIP2-City",
        languages=["en"],
        description={"en": "sluice test database (documentation networks only)"},
    )
    for cidr, record in NETWORKS:
        writer.insert_network(IPSet([cidr]), record)
    writer.to_db_file(out)
    if len(sys.argv) > 2:
        write_asn(sys.argv[2])


if __name__ == "__main__":
    main()

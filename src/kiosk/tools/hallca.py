"""The hall's own certificate authority, for TLS between the devices and the hub's broker.

Rule: made by ``kiosk provision --tls`` and nowhere else. The CA key signs the broker's certificate and
then leaves the hub (it is written to ``tls/ca.key``, 0600, for the office safe); devices trust only the
hall CA (``ca.crt``) and check the broker's name against the certificate. ECDSA P-256 keys: small, fast
on a Pi, supported by Mosquitto's OpenSSL. A re-run keeps the CA and keeps the broker certificate while
it still names the same hosts and has more than 30 days left; otherwise it issues a new one.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..errors import KioskError

CA_DAYS = 3650
BROKER_DAYS = 825
RENEW_BEFORE = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class BrokerCert:
    ca_crt: Path
    crt: Path
    key: Path
    issued: bool  # False: the existing certificate was kept


def _pem_key(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def _pem_cert(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def san_entries(hosts: list[str]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for h in hosts:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(h)))
        except ValueError:
            out.append(x509.DNSName(h))
    return out


Writer = Callable[[Path, str], None]


def ensure_ca(folder: Path, site: str, now: datetime, write_private: Writer,
              write_public: Writer) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey | None]:
    """The hall CA from ``folder`` (ca.crt, and ca.key when it is there), made on first use. Without the
    key (kept off the hub) the CA can still be handed to devices, just not sign anything."""
    crt, key = folder / "ca.crt", folder / "ca.key"
    if crt.exists():
        cert = x509.load_pem_x509_certificate(crt.read_bytes())
        k = serialization.load_pem_private_key(key.read_bytes(), password=None) if key.exists() else None
        return cert, k  # type: ignore[return-value]
    if key.exists():
        raise KioskError(f"{key} exists without {crt}: restore the certificate, or remove both to start a new "
                         f"hall CA")
    k = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"hall {site} CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, f"kiosk hall {site}")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(k.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(k.public_key()), critical=False)
            .sign(k, hashes.SHA256()))
    write_private(key, _pem_key(k))
    write_public(crt, _pem_cert(cert))
    return cert, k


def _still_good(path: Path, hosts: list[str], ca: x509.Certificate, now: datetime) -> bool:
    try:
        cert = x509.load_pem_x509_certificate(path.read_bytes())
        names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return False
    return (cert.issuer == ca.subject and set(names) == set(san_entries(hosts))
            and cert.not_valid_after_utc - RENEW_BEFORE > now)


def broker_cert(ca_dir: Path, out_dir: Path, site: str, hosts: list[str], now: datetime, *,
                write_private: Writer, write_public: Writer) -> BrokerCert:
    """The broker's certificate for ``hosts`` (names and addresses the devices use), signed by the hall CA."""
    if not hosts:
        raise ValueError("a broker certificate needs at least one host name or address")
    ca, ca_key = ensure_ca(ca_dir, site, now, write_private, write_public)
    crt, key = out_dir / "hub.crt", out_dir / "hub.key"
    write_public(out_dir / "ca.crt", _pem_cert(ca))
    if key.exists() and _still_good(crt, hosts, ca, now):
        return BrokerCert(out_dir / "ca.crt", crt, key, issued=False)
    if ca_key is None:  # never start a second CA by accident: every device trusts the first one
        raise KioskError(f"the broker certificate must be issued anew (hosts {', '.join(hosts)}) but the hall "
                         f"CA key {ca_dir / 'ca.key'} is not here: bring it back from the office safe and re-run")
    k = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hosts[0])]))
            .issuer_name(ca.subject).public_key(k.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=BROKER_DAYS))
            .add_extension(x509.SubjectAlternativeName(san_entries(hosts)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    write_private(key, _pem_key(k))
    write_public(crt, _pem_cert(cert))
    return BrokerCert(out_dir / "ca.crt", crt, key, issued=True)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)

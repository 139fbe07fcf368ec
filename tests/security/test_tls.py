"""TLS on the hall network: `kiosk provision --tls` makes a hall CA and a broker certificate naming the
hub; Mosquitto serves TLS on the hall listener and plain MQTT only on loopback (for the hub); devices trust
only the hall CA and check the broker's name. Against a real Mosquitto run from the generated config."""

from __future__ import annotations

import socket
import ssl
import stat
import subprocess
import sys
import tomllib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kiosk.config import load
from kiosk.tools import provision_tools as P

from ..conftest import HubProcess, REPO
from ..mqtt_helpers import wait_until
from ..ops.conftest import SITE
from ..ops.mqtt_acl import Mosquitto, free_port
from .conftest import with_broker_login

HOSTS = ["localhost", "127.0.0.1"]


@pytest.fixture
def tls_toml(site_toml):
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + 'hub_hosts = ["127.0.0.1"]\n', encoding="utf-8")
    return site_toml


@pytest.fixture
def tls_out(tls_toml, tmp_path):
    out = tmp_path / "prov"
    P.provision(load(tls_toml), out, tls=True, hub_host="localhost", broker_dir=str(out / "mosquitto"))
    return out


@pytest.fixture
def tls_broker(tls_out, tmp_path):
    """The generated hall.conf with --tls: plain listener on loopback, TLS listener (here on loopback too)."""
    plain, tls_port = free_port(), free_port()
    state = tmp_path / "tls-broker"
    state.mkdir()
    text = P.hall_conf(SITE, broker_dir=str(tls_out / "mosquitto"), port=plain, bind="127.0.0.1", tls=True,
                       tls_port=tls_port, cert_dir=str(tls_out / "mosquitto" / "certs"),
                       persistence_location=str(state))
    (state / "hall.conf").write_text(text + "\nuser root\n", encoding="utf-8")
    m = Mosquitto(state / "hall.conf", tls_port, tmp_path / "tls-broker.log").start()
    m.plain, m.tls = plain, tls_port
    yield m
    m.stop()


def device_toml(tls_toml, out, device: str, port: int, ca=None):
    ca = ca or out / "devices" / device / "ca.crt"
    return with_broker_login(tls_toml, out, device, f'host = "localhost"\nport = {port}\ntls_ca = "{ca}"\n')


def kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, cwd=REPO,
                          timeout=60)


def test_files_and_modes(tls_out, tls_toml):
    mode = lambda p: stat.S_IMODE((tls_out / p).stat().st_mode)  # noqa: E731
    assert mode("tls/ca.key") == 0o600 and mode("mosquitto/certs/hub.key") == 0o600
    assert mode("mosquitto/certs/hub.crt") == 0o644 and mode("mosquitto/certs/ca.crt") == 0o644
    assert mode("devices/kiosk-1/mqtt.password") == 0o600
    assert not (tls_out / "mosquitto" / "certs" / "ca.key").exists()  # the CA key never goes to the broker
    assert not (tls_out / "devices" / "hub" / "ca.crt").exists()  # the hub talks plain on loopback
    kiosk_broker = tomllib.loads((tls_out / "devices" / "kiosk-1" / "broker.toml").read_text())["broker"]
    assert kiosk_broker == {"host": "localhost", "port": 8883, "username": "kiosk-1",
                            "password_file": "/etc/kiosk/mqtt.password", "tls_ca": "/etc/kiosk/ca.crt"}
    hub_broker = tomllib.loads((tls_out / "devices" / "hub" / "broker.toml").read_text())["broker"]
    assert (hub_broker["host"], hub_broker["port"], "tls_ca" in hub_broker) == ("127.0.0.1", 1883, False)


def test_certificate_names_the_hub_and_is_signed_by_the_hall_ca(tls_out, tls_toml):
    ca = x509.load_pem_x509_certificate((tls_out / "tls" / "ca.crt").read_bytes())
    crt = x509.load_pem_x509_certificate((tls_out / "mosquitto" / "certs" / "hub.crt").read_bytes())
    crt.verify_directly_issued_by(ca)
    sans = crt.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["localhost"]
    assert [str(a) for a in sans.get_values_for_type(x509.IPAddress)] == ["127.0.0.1"]
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # a re-run keeps CA and certificate; a new host name gets a new certificate from the same CA
    again = P.provision(load(tls_toml), tls_out, tls=True, hub_host="localhost")
    assert not again.cert_issued
    assert (tls_out / "mosquitto" / "certs" / "hub.crt").read_bytes() == crt.public_bytes(Encoding.PEM)
    moved = P.provision(load(tls_toml), tls_out, tls=True, hub_host="hub.hall")
    assert moved.cert_issued and moved.tls_hosts == ["hub.hall", "127.0.0.1"]
    new = x509.load_pem_x509_certificate((tls_out / "mosquitto" / "certs" / "hub.crt").read_bytes())
    new.verify_directly_issued_by(ca)


def test_tls_needs_the_hubs_name(site_toml, tmp_path):
    from kiosk.errors import ConfigError
    with pytest.raises(ConfigError, match="hub_hosts"):
        P.provision(load(site_toml), tmp_path / "o", tls=True)


def test_hall_conf_plain_listener_only_on_loopback():
    lines = P.hall_conf(SITE, tls=True).splitlines()
    assert "listener 1883 127.0.0.1" in lines and "listener 8883" in lines
    tls_block = lines[lines.index("listener 8883"):]
    assert {"cafile /etc/mosquitto/certs/ca.crt", "certfile /etc/mosquitto/certs/hub.crt",
            "keyfile /etc/mosquitto/certs/hub.key"} <= set(tls_block)
    assert [ln for ln in lines if ln.startswith("listener ")] == ["listener 1883 127.0.0.1", "listener 8883"]


def _handshake(port: int, cafile, server_hostname: str = "localhost") -> str:
    ctx = ssl.create_default_context(cafile=str(cafile))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname=server_hostname) as s:
            return s.version()


def test_hall_ca_verifies_wrong_ca_and_wrong_name_refused(tls_broker, tls_out, tmp_path, tls_toml):
    ca = tls_out / "devices" / "kiosk-1" / "ca.crt"
    assert _handshake(tls_broker.tls, ca) in ("TLSv1.2", "TLSv1.3")
    assert _handshake(tls_broker.tls, ca, "127.0.0.1")  # the address is in the certificate too
    with pytest.raises(ssl.SSLCertVerificationError, match="Hostname mismatch|doesn't match|IP address mismatch"):
        _handshake(tls_broker.tls, ca, "evil.example")
    other = tmp_path / "other"
    P.provision(load(tls_toml), other, tls=True, hub_host="localhost")  # another hall's CA, same host name
    with pytest.raises(ssl.SSLCertVerificationError, match="certificate verify failed"):
        _handshake(tls_broker.tls, other / "tls" / "ca.crt")


def test_plain_mqtt_on_the_tls_listener_gets_no_answer(tls_broker):
    connect = bytes([0x10, 12, 0, 4]) + b"MQTT" + bytes([4, 2, 0, 30, 0, 0])  # CONNECT, clean, empty id
    with socket.create_connection(("127.0.0.1", tls_broker.tls), timeout=10) as s:
        s.sendall(connect)
        try:
            answer = s.recv(4)
        except ConnectionResetError:
            answer = b""
    assert not answer.startswith(b"\x20")  # never a CONNACK


def test_every_role_over_tls_end_to_end(tls_broker, tls_out, tls_toml, tmp_path):
    """The hub on the plain loopback listener; a kiosk's and a technician's staff tools over TLS with
    the hall CA; the same tool with another CA cannot connect."""
    hub_conf = with_broker_login(tls_toml, tls_out, "hub")
    hub = HubProcess(hub_conf, tmp_path / "hub-state", tls_broker.plain, tmp_path / "hub.log").start()
    try:
        k = device_toml(tls_toml, tls_out, "kiosk-1", tls_broker.tls)
        tries: list[subprocess.CompletedProcess] = []

        def ticket():  # the hub may still be starting: the first tries get no answer
            tries.append(kiosk("ticket", "C", "--config", str(k), "--timeout", "5"))
            return tries[-1].returncode == 0 or len(tries) > 6
        wait_until(ticket, 120, "a ticket over TLS")
        assert tries[-1].returncode == 0 and tries[-1].stdout.startswith("C001"), \
            (tries[-1].stdout, tries[-1].stderr, (tmp_path / "hub.log").read_text()[-2000:])
        mon = device_toml(tls_toml, tls_out, "staff-monitor", tls_broker.tls)
        st = kiosk("status", "--config", str(mon))
        assert "broker: reachable" in st.stdout and "hub: online" in st.stdout, st.stdout + st.stderr
        wrong = tmp_path / "wrong-ca"
        wrong.mkdir()
        from kiosk.tools.hallca import ensure_ca, utcnow
        ensure_ca(wrong, "elsewhere", utcnow(), P.write_private, P.write_public)
        bad = device_toml(tls_toml, tls_out, "kiosk-2", tls_broker.tls, ca=wrong / "ca.crt")
        r = kiosk("ticket", "C", "--config", str(bad), "--timeout", "3")
        assert r.returncode == 3 and "cannot reach the broker" in r.stderr
    finally:
        hub.stop()


def test_without_the_ca_key_a_new_certificate_is_refused_never_a_second_ca(tls_out, tls_toml):
    ca_before = (tls_out / "tls" / "ca.crt").read_bytes()
    (tls_out / "tls" / "ca.key").rename(tls_out / "safe.key")  # in the office safe
    kept = P.provision(load(tls_toml), tls_out, tls=True, hub_host="localhost")  # same hosts: nothing to sign
    assert not kept.cert_issued
    from kiosk.errors import KioskError
    with pytest.raises(KioskError, match="ca.key"):
        P.provision(load(tls_toml), tls_out, tls=True, hub_host="hub.hall")
    assert (tls_out / "tls" / "ca.crt").read_bytes() == ca_before and not (tls_out / "tls" / "ca.key").exists()


def test_tls_without_a_host_refuses_zeroconf(tls_out, tls_toml):
    """An address found on the network proves nothing: with tls_ca a device needs the name from its config."""
    conf = with_broker_login(tls_toml, tls_out, "staff-monitor", f'tls_ca = "{tls_out / "tls" / "ca.crt"}"\n')
    r = kiosk("status", "--config", str(conf))
    assert r.returncode == 3 and "broker.host must be too" in r.stderr and str(conf) in r.stderr

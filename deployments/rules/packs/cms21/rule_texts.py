"""The rules of the cms21 pack in CertDesk's own words (numbering of ../shared/SPEC.md).

Paraphrases, not the guide's sentences: a title and a short explanation per rule, shown at
``/rules/`` and linked from every page that cites a rule number.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from ...ruletext import RuleBook, RuleText

CHAPTERS = {
    "1": _("Keys, requests and chains"),
    "2": _("Which certificates a deployment needs"),
    "3": _("Getting certificates"),
    "4": _("Installing on the Meeting Server"),
    "5": _("Diagnosing certificate problems"),
    "6": _("Test installations"),
}

RULES = (
    RuleText(
        "R1.1",
        _("Key pairs"),
        _(
            "A private key and its public key work as a pair: what one locks, only the other "
            "opens. The private key stays with its owner."
        ),
    ),
    RuleText(
        "R1.2",
        _("What a signing request holds"),
        _(
            "A CSR carries the public key and the identity to certify (the CN, the FQDN to "
            "protect, is required; organisation, unit, city, state written in full, two-letter "
            "country, e-mail and alternative names are optional), signed with the private key."
        ),
    ),
    RuleText(
        "R1.3",
        _("The chain of trust"),
        _(
            "Each certificate names who it was issued to and who issued it. A server must present"
            " its own certificate plus every intermediate up to a root the client trusts; leave "
            "one out and the client refuses it."
        ),
    ),
    RuleText(
        "R1.4",
        _("Bundle files"),
        _(
            "A bundle is one PEM file holding the intermediates and the root, the leaf's issuer "
            "first and the root last, the blocks back to back with no blank lines, and a single "
            "newline at the end."
        ),
    ),
    RuleText(
        "R1.5",
        _("Trust stores"),
        _(
            "A client trusts the CA certificates in its store and follows issuer links until it "
            "reaches one of them, or reports an error. CAs that are revoked leave the store."
        ),
    ),
    RuleText(
        "R2.1",
        _("The components"),
        _(
            "A Meeting Server deployment is made of Call Bridge, Web Bridge, XMPP server, TURN "
            "server, database, Web Admin and, in split deployments, load balancers and trunks; "
            "the H.323 Gateway, Recorder and Streamer are optional."
        ),
    ),
    RuleText(
        "R2.2",
        _("Topologies"),
        _(
            "Everything can run on one server, be split between a Core and an Edge server, or be "
            "spread over many servers for scale and resilience; only the last adds database "
            "cluster certificates."
        ),
    ),
    RuleText(
        "R2.3",
        _("Recorder and Streamer"),
        _(
            "Run them away from the Call Bridge except in tests. Each needs a certificate from "
            "the internal CA, and they and the Call Bridge must trust each other's certificates."
        ),
    ),
    RuleText(
        "R2.4",
        _("When a public CA must sign"),
        _(
            "Certificates that outside clients check need a public CA: Web Bridge for WebRTC, "
            "XMPP for the native apps, Call Bridge for Lync federation over the Internet, and "
            "TURN over TLS (the same CA as the Web Bridge)."
        ),
    ),
    RuleText(
        "R2.5",
        _("When the internal CA is enough"),
        _(
            "Certificates only CertDesk's own servers check can come from the internal CA: Web "
            "Admin, Call Bridge (for Web Bridge, AD and SIP trunks), load balancer and trunk, "
            "database cluster, Recorder and Streamer."
        ),
    ),
    RuleText(
        "R2.6",
        _("Wildcards"),
        _("A wildcard name may be used in the CN and in the alternative names."),
    ),
    RuleText(
        "R3.1",
        _("The three steps"),
        _(
            "For each certificate: make a key and a CSR, get the CSR signed by a public or "
            "internal CA, then upload the certificate and its bundle over SFTP and assign it."
        ),
    ),
    RuleText(
        "R3.2",
        _("Hash algorithms"),
        _(
            "Either SHA-1 or SHA-2 signatures on a certificate are fine for the server; the CSRs "
            "it makes itself use SHA-256."
        ),
    ),
    RuleText(
        "R3.3",
        _("The pki csr command"),
        _(
            "pki csr takes a base name (letters, digits, dash and underscore, no dot) and "
            "attributes such as CN:, O: or subjectAltName:, and writes the .key and .csr files. "
            "Quote values with spaces; give every attribute to a public CA."
        ),
    ),
    RuleText(
        "R3.4",
        _("Alternative names"),
        _(
            "subjectAltName is a comma-separated list without spaces of DNS names, IP addresses "
            "or wildcards. The tool puts the CN in the list by itself, so leave it out. The XMPP "
            "certificate and any shared certificate need one."
        ),
    ),
    RuleText(
        "R3.5",
        _("One certificate for several components"),
        _(
            "When Web Bridge, XMPP, Call Bridge and TURN share a certificate, its CN is the "
            "domain and its alternative names list the domain and the FQDN of each component that "
            "uses the certificate."
        ),
    ),
    RuleText(
        "R3.6",
        _("Web Bridge names"),
        _(
            "A dedicated Web Bridge certificate carries the FQDN of the Web Bridge's A record as "
            "its CN, and in the alternative names if there are any; otherwise browsers complain."
        ),
    ),
    RuleText(
        "R3.7",
        _("XMPP server names"),
        _(
            "The XMPP certificate's CN is the target of the XMPP SRV record, and its alternative "
            "names hold that name and the XMPP domain (or a wildcard CN with the domain as an "
            "alternative name)."
        ),
    ),
    RuleText(
        "R3.8",
        _("Trunk and load balancer pairs"),
        _(
            "Each Edge's load balancer gets its own key and certificate, and so does each Core "
            "running XMPP for its trunks. A trunk and a load balancer never share one; both may "
            "come from the internal CA."
        ),
    ),
    RuleText(
        "R3.9",
        _("Database cluster"),
        _(
            "The cluster needs a server certificate (one may cover every host through its "
            "alternative names; serverAuth if it has key usages) and a client certificate whose "
            "CN is exactly postgres (clientAuth), both from the same internal CA, never self-"
            "signed."
        ),
    ),
    RuleText(
        "R3.10",
        _("TURN over TLS"),
        _(
            "With TLS on TURN, its certificate is made like the Web Bridge's and signed by the "
            "same CA."
        ),
    ),
    RuleText(
        "R3.11",
        _("What a public CA returns"),
        _(
            "Keep the signed certificate in its own file; if the CA sent the chain in the same "
            "file, move the rest into a separate, clearly named bundle ordered from the issuing "
            "CA to the root."
        ),
    ),
    RuleText(
        "R3.12",
        _("Microsoft AD CS"),
        _(
            "With an internal Microsoft CA, submit the CSR with certreq and the WebServer "
            "template, wait for a pending request to be issued, and export the result as Base-64 "
            "X.509."
        ),
    ),
    RuleText(
        "R3.13",
        _("Lync and Skype for Business"),
        _(
            "With Lync or Skype for Business, have the certificate signed by a CA that the Front "
            "End servers already trust."
        ),
    ),
    RuleText(
        "R4.1",
        _("Reusing a key and certificate"),
        _(
            "One key and certificate may serve several services; name the files after where they "
            "are used. Never reuse them between a trunk and a load balancer; a Core's pair can "
            "serve all its trunks."
        ),
    ),
    RuleText(
        "R4.2",
        _("Uploading files"),
        _(
            "Files reach the MMP by SFTP and pki list shows them. A file name has no dot except "
            "the one before its extension."
        ),
    ),
    RuleText(
        "R4.3",
        _("Checking before assigning"),
        _(
            "Before using a file, pki inspect shows what it is and its dates, pki match confirms "
            "a key and certificate belong together, and pki verify confirms the certificate "
            "chains to a trusted CA through the bundle."
        ),
    ),
    RuleText(
        "R4.4",
        _("Installing on the XMPP server"),
        _(
            "Disable XMPP, give it the key, certificate and bundle, and enable it again; it "
            "reports success for the domain, the key pair and the licence. A key mismatch or "
            "broken bundle is reported as a failure. It needs license.dat."
        ),
    ),
    RuleText(
        "R4.5",
        _("Setting up trunks and load balancers"),
        _(
            "On the Edge, create the load balancer, give it its key, certificate and the trunk's "
            "certificate as trust, its trunk and public ports, and enable it. On the Core, create"
            " the trunk with its key, certificate, the load balancer's certificate as trust and "
            "the Edge's address, and enable it."
        ),
    ),
    RuleText(
        "R4.6",
        _("Installing on a Web Bridge"),
        _(
            "On each Web Bridge: disable it, give it the key, certificate and bundle, and enable "
            "it; it confirms the key pair and that it is enabled."
        ),
    ),
    RuleText(
        "R4.7",
        _("Installing on a Call Bridge"),
        _(
            "On each Call Bridge: give it the key, certificate and bundle and restart it. For "
            "Lync, the CN (and any alternative name) is the FQDN configured on the Front End, "
            "signed by a CA it trusts."
        ),
    ),
    RuleText(
        "R4.7.1",
        _("Web Bridges trust the Call Bridges"),
        _(
            "Each Web Bridge must trust the Call Bridge certificates: disable it, set the trust "
            "file, enable it. Several Call Bridges with different certificates go into one "
            "concatenated trust bundle; in split deployments copy it to the Edge first."
        ),
    ),
    RuleText(
        "R4.8",
        _("Installing the database cluster certificates"),
        _(
            "Only on a disabled cluster: database hosts get the server and client keys and "
            "certificates plus the CA bundle; Call Bridges without a local database get the "
            "client pair and the bundle. A client CN other than postgres is refused."
        ),
    ),
    RuleText(
        "R4.9",
        _("Installing on a TURN server"),
        _(
            "With TURN over TLS: disable TURN, upload and verify the files, give it the key, "
            "certificate and bundle, and enable it. The CA is the Web Bridge's."
        ),
    ),
    RuleText(
        "R4.10",
        _("Checking SIP and LDAP peers"),
        _(
            "The tls command shows the SIP and LDAP TLS settings, sets the CA bundle that peers "
            "are checked against, and turns verification (or OCSP) on or off."
        ),
    ),
    RuleText(
        "R4.11",
        _("Installing on Web Admin"),
        _("Give Web Admin its key, certificate and bundle, then restart it."),
    ),
    RuleText(
        "R5.1",
        _('"Service not trusted"'),
        _(
            "The client does not have the internal CA in its trust store, or a self-signed "
            "certificate is used where a CA-signed one is needed."
        ),
    ),
    RuleText(
        "R5.2",
        _("Native apps reject the XMPP certificate"),
        _(
            "The XMPP certificate lacks the DNS name of the server (CN and alternative names) or "
            "the XMPP domain (alternative names)."
        ),
    ),
    RuleText(
        "R5.3",
        _("Browsers reject the Web Bridge"),
        _(
            "The Web Bridge certificate lacks the Web Bridge FQDN, or with TURN over TLS the TURN"
            " certificate is missing or unlike the Web Bridge's."
        ),
    ),
    RuleText(
        "R5.4",
        _("Call Bridge cannot reach a Web Bridge"),
        _(
            "The Web Bridge does not trust the Call Bridge's certificate, or that certificate has"
            " expired."
        ),
    ),
    RuleText(
        "R5.5",
        _("Trunk and load balancer share a pair"),
        _(
            "When a trunk and a load balancer use the same key and certificate, they cannot "
            "authenticate each other."
        ),
    ),
    RuleText(
        "R5.6",
        _("Lync Front End cannot connect"),
        _(
            "The Front End does not trust the CA that signed the Call Bridge certificate, or the "
            "FQDN set on Lync is not that certificate's CN."
        ),
    ),
    RuleText(
        "R6.1",
        _("Self-signed certificates for tests"),
        _(
            "pki selfsigned makes a key and a self-signed certificate. They can do for Web Admin,"
            " trunks and load balancers, and Call Bridge to Web Bridge in a lab (browsers warn), "
            "never for the database cluster, Lync or production."
        ),
    ),
)

RULE_BOOK = RuleBook(chapters=CHAPTERS, rules=RULES)

@family:grant-tls @side:grant-service
Feature: The grant service's TLS
  A token's url is redeemed over TLS 1.3 or newer, trusting only the CA the grant publishes in its
  status. The grant service serves that way only: it refuses older TLS, serves a certificate that the
  published CA signs for the host of the grant's url, and never serves a redemption in the clear.

  @AT-GTLS-001 @MUST
  Rule: AT-GTLS-001 TLS 1.3 is the minimum: a client offering only TLS 1.2 is refused, and nothing is counted
    Source: spec §2.1 (server.go: tlscfg.Modern(), MinVersion TLS 1.3), §3.1 (both redeemers require TLS 1.3), §7

    Scenario: A TLS 1.2-only client is refused, and the single-use grant still redeems
      Given an AccessGrant "modern" allowing 1 redemption
      When a client offering only TLS 1.2 redeems the grant
      Then the TLS 1.2 handshake is refused
      When the grant is redeemed
      Then the redemption is answered 200

  @AT-GTLS-002 @MUST
  Rule: AT-GTLS-002 The served certificate chains to status.ca and is valid for the host of status.url
    Source: docs/resources-access-grant.md (status.ca: "the trusted server certificate of the token-redemption service"); spec §2.1 (the CA published is the server's ca.crt), §3.1 (redeemers trust status.ca alone and check the host)

    Scenario: The certificate served at the grant's url is trusted through status.ca alone
      Given an AccessGrant "trusted"
      Then the certificate served at the grant's url chains to its status.ca and is valid for the url's host

  @AT-GTLS-003 @MUST
  Rule: AT-GTLS-003 A plain-HTTP request to the grant's port is never served a redemption
    Source: spec §2.1 (the server speaks HTTPS when it has TLS credentials; an http:// grant URL is refused by redeemers), §2.2

    Scenario: The code POSTed in the clear to the grant's port is not redeemed, and the single-use grant still redeems
      Given an AccessGrant "in-the-clear" allowing 1 redemption
      When the grant's code is posted over plain HTTP to the grant's port
      Then the plain-HTTP request is served no redemption
      When the grant is redeemed
      Then the redemption is answered 200

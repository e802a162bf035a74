@family:trust @side:redeemer
Feature: CA trust and TLS
  A redeemer trusts only the CA the token carries, verifies the grant service's certificate fully, and
  speaks TLS 1.3 or newer. Every failure here happens before a request reaches the grant endpoint.

  @AT-TRUST-001 @MUST
  Rule: AT-TRUST-001 Only the token's CA is trusted: a token whose ca is an unrelated CA fails
    Source: docs/accesstoken-resource.md (spec.ca: "The trusted server certificate of the grant service"); spec §3.1

    Scenario: A token carrying an unrelated CA fails without reaching the grant endpoint
      Given a grant
      And an AccessToken "wrong-ca" for the grant
      And the token's ca is an unrelated CA
      When the token is applied
      Then the token fails with a message naming a certificate verification failure
      And no request reached the grant service
      And the grant's redemption count is 0
      And the site has no Secret and no Link

  @AT-TRUST-002 @MUST
  Rule: AT-TRUST-002 A token with an empty ca fails and nothing is sent
    Source: spec §3.1 order 1 ("token does not have a CA"); §7.1 item 2 (docs call ca optional)

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: A token with an empty ca fails
      Given a grant
      And an AccessToken "no-ca" for the grant
      And the token's ca is empty
      When the token is applied
      Then the token fails
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-003 @MUST
  Rule: AT-TRUST-003 A token whose ca is not a PEM certificate fails and nothing reaches the grant endpoint
    Source: spec §3.1 (AppendCertsFromPEM failure ignored, so verification fails)

    Scenario: A token whose ca is garbage fails
      Given a grant
      And an AccessToken "garbage-ca" for the grant
      And the token's ca is a garbage PEM
      When the token is applied
      Then the token fails
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-004 @MUST
  Rule: AT-TRUST-004 An expired grant service certificate is refused
    Source: spec §3.1 (transport error on TLS verification)

    Scenario: A grant service presenting an expired certificate is refused
      Given a grant
      And an AccessToken "expired-cert" for the grant
      And the token's url points to the grant service's expired-certificate endpoint
      When the token is applied
      Then the token fails with a message naming a certificate verification failure
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-005 @MUST
  Rule: AT-TRUST-005 A grant service certificate for another host is refused
    Source: spec §3.1 (transport error on TLS verification)

    Scenario: A grant service presenting a certificate for another host is refused
      Given a grant
      And an AccessToken "wrong-host" for the grant
      And the token's url points to the grant service's wrong-host endpoint
      When the token is applied
      Then the token fails with a message naming a certificate verification failure
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-006 @MUST
  Rule: AT-TRUST-006 A grant service certificate signed by another CA is refused
    Source: spec §3.1 (only the token CA is trusted)

    Scenario: A grant service presenting a certificate from another CA is refused
      Given a grant
      And an AccessToken "other-ca" for the grant
      And the token's url points to the grant service's other-ca endpoint
      When the token is applied
      Then the token fails with a message naming a certificate verification failure
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-007 @MUST
  Rule: AT-TRUST-007 A grant service that offers only TLS 1.2 is refused
    Source: spec §3.1 (client MinVersion TLS 1.3), §2.1 (server tlscfg.Modern)

    Scenario: A grant service offering only TLS 1.2 is refused
      Given a grant
      And an AccessToken "old-tls" for the grant
      And the token's url points to the grant service's tls12-only endpoint
      When the token is applied
      Then the token fails
      And no request reached the grant service
      And the site has no Secret and no Link

  @AT-TRUST-008 @SHOULD
  Rule: AT-TRUST-008 A ca holding a bundle of certificates trusts each of them
    Source: spec §3.1 (the ca PEM bundle is added to RootCAs)

    Scenario: A token whose ca bundles an unrelated CA with the grant's CA is redeemed
      Given a grant
      And an AccessToken "bundle-ca" for the grant
      And the token's ca is a bundle of an unrelated CA and the grant's CA
      When the token is applied
      Then the token is redeemed
      And the grant service received 1 request over TLSv1.3

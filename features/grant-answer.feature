@family:grant-answer @side:grant-service
Feature: The redemption answer
  A redemption is answered with what the redeeming site needs to link to the issuing site: a YAML
  stream of a kubernetes.io/tls Secret, holding a client certificate signed by the issuing site's CA,
  then one Link per endpoint group of the issuing site. The `name` header names them, the `subject`
  header is the certificate's CommonName, and the redeeming site decides where they are written.

  @AT-ANSWER-001 @MUST
  Rule: AT-ANSWER-001 The 200 body is a YAML stream whose first document is a kubernetes.io/tls Secret named after the name header, with tls.crt, tls.key and ca.crt
    Source: spec §2.3 (the name header names the Secret), §2.5 (tokens.go CertToken.Write: the Secret first); docs/resources-access-grant.md ("obtain a certificate signed by the grant's certificate authority")

    Scenario: The Secret comes first, named after the name header
      Given an AccessGrant "answered"
      When the grant is redeemed as a token named "west-link" for the subject "west-site"
      Then the redemption is answered 200
      And the answer's first document is a kubernetes.io/tls Secret named "west-link" with tls.crt, tls.key and ca.crt

  @AT-ANSWER-002 @MUST
  Rule: AT-ANSWER-002 tls.crt chains to ca.crt, matches tls.key and is usable for client authentication
    Source: docs/resources-access-grant.md ("a certificate signed by the grant's certificate authority"); spec §2.5 (certs.go GenerateSecret: ExtKeyUsage serverAuth and clientAuth, signed by the site's issuer, ca.crt that CA)

    Scenario: The certificate in the Secret authenticates the redeeming site
      Given an AccessGrant "certified"
      When the grant is redeemed
      Then the answer's certificate chains to its ca.crt, matches its tls.key and is usable for client authentication

  @AT-ANSWER-003 @SHOULD
  Rule: AT-ANSWER-003 The certificate's CommonName is the subject header
    Source: spec §2.3 (subject → CommonName of the issued certificate), §2.5

    Scenario: The subject header becomes the CommonName
      Given an AccessGrant "subject"
      When the grant is redeemed as a token named "west-link" for the subject "3f1c2a9e-7d4b-4c1a-9b1e-2f6d8a7c5e10"
      Then the answer's certificate has the CommonName "3f1c2a9e-7d4b-4c1a-9b1e-2f6d8a7c5e10"

  @AT-ANSWER-004 @SHOULD
  Rule: AT-ANSWER-004 The certificate carries SANs for the issuing site's endpoint hosts
    Source: spec §2.5 (SANs = the host of every site.status.endpoints entry, all roles)

    Scenario: One endpoint group
      Given an AccessGrant "named-hosts"
      When the grant is redeemed
      Then the answer's certificate carries a SAN for every endpoint host of the issuing site

    Scenario: Two endpoint groups and an endpoint of another role
      Given the issuing site has 2 endpoint groups and an endpoint that is neither inter-router nor edge
      And an AccessGrant "named-hosts"
      When the grant is redeemed
      Then the answer's certificate carries a SAN for every endpoint host of the issuing site

  @AT-ANSWER-005 @MUST
  Rule: AT-ANSWER-005 One Link per endpoint group, holding only the group's inter-router and edge endpoints, tlsCredentials the Secret's name
    Source: spec §1.3 (a Link is applied only through an endpoint of the local router's role), §2.5 (one Link per group, inter-router and edge endpoints only, tlsCredentials = name), §7.1 item 6

    Scenario: One endpoint group gives one Link
      Given an AccessGrant "linked"
      When the grant is redeemed
      Then the answer holds one Link per endpoint group of the issuing site, with the group's inter-router and edge endpoints and the Secret's name as tlsCredentials

    Scenario: Two endpoint groups and an endpoint of another role give two Links of router endpoints
      Given the issuing site has 2 endpoint groups and an endpoint that is neither inter-router nor edge
      And an AccessGrant "linked"
      When the grant is redeemed
      Then the answer holds one Link per endpoint group of the issuing site, with the group's inter-router and edge endpoints and the Secret's name as tlsCredentials

    Scenario: Three endpoint groups give three Links
      Given the issuing site has 3 endpoint groups
      And an AccessGrant "linked"
      When the grant is redeemed
      Then the answer holds one Link per endpoint group of the issuing site, with the group's inter-router and edge endpoints and the Secret's name as tlsCredentials

  @AT-ANSWER-006 @SHOULD
  Rule: AT-ANSWER-006 Links are named <name> for one group, <name>-1, <name>-2 ... for several
    Source: spec §2.5 (tokens.go: name for one group, name-N for several; which group gets which suffix follows Go map order), §7.1 item 6

    Scenario: One endpoint group: the Link is named after the name header
      Given an AccessGrant "named"
      When the grant is redeemed as a token named "west-link" for the subject "west-site"
      Then the answer's Links are named "west-link"

    Scenario: Two endpoint groups: the Links are numbered
      Given the issuing site has 2 endpoint groups
      And an AccessGrant "named"
      When the grant is redeemed as a token named "west-link" for the subject "west-site"
      Then the answer's Links are named "west-link-1" and "west-link-2"

  @AT-ANSWER-007 @MUST
  Rule: AT-ANSWER-007 No document of the answer carries a metadata.namespace
    Source: spec §2.5 ("No namespace is set on either document"), §3.1 (the redeemer writes into its site's namespace)

    Scenario: Nothing in the answer names a namespace
      Given the issuing site has 2 endpoint groups
      And an AccessGrant "unplaced"
      When the grant is redeemed
      Then the redemption is answered 200
      And no document of the answer carries a metadata.namespace

  @AT-ANSWER-008 @SHOULD @feature:grant-resource
  Rule: AT-ANSWER-008 Without name and subject headers, the Secret and Links are named after the grant and the CommonName is that name
    Source: spec §2.3 (server defaults: name → the grant's name, subject → the effective name)

    Scenario: A redemption without name and subject headers
      Given an AccessGrant "anonymous"
      When the grant is redeemed without name and subject headers
      Then the answer's Secret and Links are named "anonymous"
      And the answer's certificate has the CommonName "anonymous"

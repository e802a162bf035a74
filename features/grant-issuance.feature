@family:grant-issuance @side:grant-service
Feature: Grant issuance
  A grant service turns each AccessGrant into what a token needs: a URL to redeem at, a code and the CA
  that signs the service's certificate, published in the grant's status.

  @AT-ISSUE-001 @MUST
  Rule: AT-ISSUE-001 An AccessGrant's status carries the url, code and ca a token needs
    Source: docs/resources-access-grant.md (status.url, status.code, status.ca); docs/concepts-access-token.md (a token is made from the grant's status)

    Scenario: A new grant is issued
      Given an AccessGrant "issued"
      Then the grant service issues the grant: its status carries url, code and ca
      When the grant is redeemed
      Then the redemption is answered 200

  @AT-ISSUE-002 @MUST
  Rule: AT-ISSUE-002 spec.code, when set, is the grant's code; when empty, a code is generated
    Source: docs/resources-access-grant.md (spec.code: "If not set, a value is generated and placed in the code status property"); spec §1.2, §4 step 6

    # a token-issuing program chooses its own codes: the suite's AccessGrant must be the grant
    @feature:grant-resource
    Scenario: A code set in the spec is the grant's code, and it redeems
      Given an AccessGrant "coded" whose spec sets a code
      Then the grant's status.code is the code its spec set
      When the grant is redeemed with the code its spec set
      Then the redemption is answered 200

    # an empty string in a field the CRD types as string (see docs/kubernetes.md on API servers that refuse it)
    @empty-string
    Scenario: Grants without a code get generated codes of their own
      Given an AccessGrant "unset"
      And an AccessGrant "empty" whose spec has an empty code
      Then the grants "unset" and "empty" have generated codes that differ

  @AT-ISSUE-003 @SHOULD @feature:grant-resource
  Rule: AT-ISSUE-003 status.url is https://<host>/<the grant's metadata.uid>
    Source: spec §1.2 (status.url), §2.2 (grants.go claimUrl: "<scheme>://<baseUrl>/<grant UID>")

    Scenario: The URL names the grant's uid
      Given an AccessGrant "located"
      Then the grant's status.url is an https URL whose path is the grant's metadata.uid

  @AT-ISSUE-007 @SHOULD @feature:status
  Rule: AT-ISSUE-007 A processed grant has Processed, Resolved and Ready conditions True and status.status Ready
    Source: docs/resources-access-grant.md (status.status, status.conditions: Processed, Resolved, Ready); spec §4.4

    Scenario: A processed grant is Ready
      Given an AccessGrant "ready"
      Then the grant's Processed, Resolved and Ready conditions become True and its status.status Ready

  @AT-ISSUE-008 @SHOULD @feature:status
  Rule: AT-ISSUE-008 An invalid expirationWindow gives status.status Error and a message naming the value
    Source: docs/resources-access-grant.md (status.status Error: "See message for more information"); spec §1.2, §4 step 7 (Invalid duration "<window>": …), §4.4

    Scenario: An expirationWindow that is not a duration
      Given an AccessGrant "mistimed" whose expirationWindow is the invalid duration "iamnotaduration"
      Then the grant's status.status becomes Error with a message naming "iamnotaduration"

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

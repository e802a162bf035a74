@family:grant-expiry @side:grant-service
Feature: Grant expiry
  A grant expires: its expiration time is fixed when the grant service first processes it, its
  expirationWindow later (15 minutes when it has none, as documented), and after it nothing is redeemed.

  @AT-USE-004 @MUST @feature:short-windows
  Rule: AT-USE-004 Expiry really refuses: a grant is redeemable at once and refused after its window passes
    Source: docs/concepts-access-token.md ("Access tokens have limited ... lifespans"); docs/resources-access-grant.md (expirationWindow); spec §2.4 step 5

    @slow
    Scenario: A grant allowing 2 with expirationWindow 2s, redeemed at once and after the window
      Given an AccessGrant "brief" allowing 2 redemptions whose expirationWindow is "2s"
      When the grant is redeemed
      Then the redemption is answered 200
      When the grant's expirationWindow has passed
      And the grant is redeemed
      Then the grant service did not answer 200

  @AT-EXPIRY-001 @SHOULD @feature:short-windows
  Rule: AT-EXPIRY-001 The answer after expiry is 404 No such claim
    Source: spec §2.4 step 5 (expiration time before now: 404 "No such claim")

    @slow
    Scenario: A grant with expirationWindow 2s, redeemed after the window
      Given an AccessGrant "brief" whose expirationWindow is "2s"
      When the grant's expirationWindow has passed
      And the grant is redeemed
      Then the grant service answered 404 "No such claim"

  @AT-DEF-006 @SHOULD @feature:status
  Rule: AT-DEF-006 A grant made with the defaults expires 15 minutes after it is first processed, as documented
    Source: docs/concepts-access-token.md ("they expire 15 minutes after being issued"); docs/resources-access-grant.md (expirationWindow default 15m); spec §4 step 7 and §7.1 item 1 (Skupper's controller uses 10 minutes when the window is empty: the finding)

    Scenario: A grant without expirationWindow
      Given an AccessGrant "plain" made with the defaults
      Then the grant's status.expirationTime is about "15m" after the grant was first processed

  @AT-ISSUE-006 @SHOULD @feature:status
  Rule: AT-ISSUE-006 status.expirationTime is the first processing plus spec.expirationWindow
    Source: docs/resources-access-grant.md (expirationWindow, status.expirationTime); spec §4 step 7 (time.Now().Add(window), RFC 3339)

    Scenario Outline: A grant with expirationWindow <window>
      Given an AccessGrant "windowed" whose expirationWindow is "<window>"
      Then the grant's status.expirationTime is about "<window>" after the grant was first processed

      Examples:
        | window |
        | 1h     |
        | 45m    |
        | 2h30m  |

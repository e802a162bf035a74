@family:single-use @side:redeemer
Feature: Single use
  An AccessToken is a one-time credential: once redeemed it is never submitted again. (That the grant
  behind it accepts only as many redemptions as it allows is the grant service's duty: grant-single-use.feature.)

  # Both rules read the token's own record of its outcome: a redeemer that keeps no status has no Redeemed
  # condition to honour, and its retries would be whoever runs it again, not its own (docs/adapters.md)
  @AT-USE-001 @MUST @feature:status
  Rule: AT-USE-001 A token whose Redeemed condition is True is never submitted again
    Source: docs/accesstoken-resource.md (status.redeemed: "Once a token is redeemed, it cannot be used again")

    @feature:resync
    Scenario: A resync does not submit a redeemed token again
      Given a grant that allows 2 redemptions
      And an AccessToken "link-to-west" for the grant
      When the token is applied
      Then the token is redeemed
      When the site is resynced
      Then the grant service received 1 request
      And the grant's redemption count is 1

    Scenario: Applying the redeemed token again does not submit it again
      Given a grant that allows 2 redemptions
      And an AccessToken "link-to-west" for the grant
      When the token is applied
      Then the token is redeemed
      When the token is applied again
      Then the grant service received 1 request
      And the token is still redeemed

    @feature:resync
    Scenario: Editing a redeemed token does not submit it again
      Given a grant that allows 2 redemptions
      And an AccessToken "link-to-west" for the grant
      When the token is applied
      Then the token is redeemed
      When the token is applied again with linkCost 7
      And the site is resynced
      Then the grant service received 1 request
      And the token is still redeemed

  @AT-USE-003 @SHOULD @feature:status
  Rule: AT-USE-003 A token that failed is attempted again on resync, and can then succeed
    Source: spec §3.1 (retries on status change and every 30 s resync until Redeemed is True)

    @feature:resync
    Scenario: A token that failed while the grant service was down is redeemed after it recovers
      Given a grant
      And an AccessToken "retry-me" for the grant
      And the grant service answers every request with status 503
      When the token is applied
      Then the token fails with a message containing "503"
      When the grant service recovers
      And the site is resynced
      Then the token is redeemed
      And the site has a Link named "retry-me"

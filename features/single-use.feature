@family:single-use @side:redeemer
Feature: Single use
  An AccessToken is a one-time credential: once redeemed it is never submitted again, and the grant
  behind it accepts only as many redemptions as it allows.

  @AT-USE-001 @MUST
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

  @AT-USE-002 @MUST
  Rule: AT-USE-002 A grant's redemption limit holds: a token for a used-up grant fails
    Source: docs/concepts-access-token.md ("they can be redeemed only once"); spec §2.4 step 6

    Scenario: A second token for a single-use grant fails with No such access granted
      Given a grant
      And an AccessToken "first" for the grant
      And an AccessToken "second" for the grant
      When the token "first" is applied
      Then the token "first" is redeemed
      When the token "second" is applied
      Then the token "second" fails with a message containing "404"
      And the token "second" fails with a message containing "No such access granted"
      And the grant's redemption count is 1

    Scenario: A grant that allows two redemptions accepts two tokens and refuses the third
      Given a grant that allows 2 redemptions
      And AccessTokens "one", "two" and "three" for the grant
      When the tokens "one", "two" and "three" are applied in turn
      Then the token "one" is redeemed
      And the token "two" is redeemed
      And the token "three" fails with a message containing "No such access granted"

    Scenario: A token for a grant that is already used up fails and creates nothing
      Given a grant that is used up
      And an AccessToken "late" for the grant
      When the token is applied
      Then the token fails with a message containing "No such access granted"
      And the site has no Secret and no Link

  @AT-USE-003 @SHOULD
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

  @AT-USE-004 @MUST
  Rule: AT-USE-004 A token for an expired grant fails with No such claim
    Source: docs/concepts-access-token.md ("Access tokens have limited ... lifespans"); spec §2.4 step 5

    Scenario: A token whose grant has expired fails
      Given a grant that has expired
      And an AccessToken "too-late" for the grant
      When the token is applied
      Then the token fails with a message containing "404"
      And the token fails with a message containing "No such claim"
      And the site has no Secret and no Link

  @AT-USE-005 @SHOULD
  Rule: AT-USE-005 A token for a grant that no longer exists fails with No such claim
    Source: spec §2.4 step 3 (unknown or deleted grant)

    Scenario: A token whose grant was deleted fails
      Given a grant that was deleted
      And an AccessToken "orphan" for the grant
      When the token is applied
      Then the token fails with a message containing "No such claim"
      And the site has no Secret and no Link

@family:lifecycle @side:redeemer
Feature: Lifecycle
  A token is a one-time credential; the Link it was redeemed for is the lasting thing. What happens to the
  token afterwards (it is deleted, its site goes away and the controller resyncs) neither takes the Link
  with it nor spends the grant again, and a token is known by its namespace and name: the same name in
  another site is another token, redeemed there too.

  @AT-LIFE-001 @MUST @feature:token-deletion
  Rule: AT-LIFE-001 Deleting a redeemed AccessToken leaves the Secret and Links it was redeemed for in place
    Source: docs/commands-token-redeem.md (once the link is active: "You can now safely delete" the token); docs/accesstoken-resource.md ("A short-lived credential used to create a link"); spec §3.1 (what a redemption creates is owned by the Site, not the token); interop: the token is spent, so a Link that went with it cannot be made again from it

    Scenario: The redeemed token is deleted
      Given a grant with 2 endpoint groups
      And an AccessToken "spent" for the grant
      When the token is applied
      Then the token is redeemed
      When the token is deleted
      Then the site still has the Secret and the Links it had before the token was deleted

  @AT-LIFE-002 @MUST
  Rule: AT-LIFE-002 An AccessToken is redeemed in every site it is applied in, whatever name a token has in another site
    Source: CRD accesstokens.skupper.io (scope: Namespaced: a token is its namespace and name); docs/accesstoken-resource.md (metadata.namespace); interop: a redeemer that knows tokens by name alone leaves a site unlinked because another site holds a token of that name

    Scenario: The same token name in a second site, after the first site redeemed it
      Given a grant that allows 2 redemptions
      And a second site
      And an AccessToken "shared" for the grant
      When the token is applied
      Then the token is redeemed
      When the token is applied in the second site
      Then the token is redeemed in the second site
      And the second site has a Link named "shared"
      And the grant service received 2 requests

    Scenario: The same token name in two sites at once
      Given a grant that allows 2 redemptions
      And a second site
      And an AccessToken "shared" for the grant
      When the token is applied in both sites at once
      Then the token is redeemed
      And the token is redeemed in the second site
      And the site has a Link named "shared"
      And the second site has a Link named "shared"

  # The premise is Skupper's marking (AT-COND-007: the condition stays True, reason Error); what is judged is
  # that the token, marked or not, is never submitted again
  @AT-LIFE-003 @MUST @feature:status @feature:site-deletion @feature:resync
  Rule: AT-LIFE-003 A redeemed token whose site was deleted is not submitted again on resync
    Source: docs/accesstoken-resource.md (status.redeemed: "Once a token is redeemed, it cannot be used again"); spec §3.1 (site deletion leaves the Redeemed condition True, so the token is never retried); security: a resubmitted token spends another redemption of its grant

    Scenario: A resync after the site is deleted
      Given a grant that allows 2 redemptions
      And an AccessToken "orphaned" for the grant
      When the token is applied
      Then the token is redeemed
      When the site is deleted
      Then the token is still redeemed
      When the site is resynced
      Then the grant service received 1 request
      And the grant's redemption count is 1

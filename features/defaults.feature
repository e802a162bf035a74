@family:defaults @side:redeemer
Feature: Defaults
  What a token means when it leaves things out: linkCost and settings. (The limits a grant has unless
  told otherwise are the grant service's duty: grant-single-use.feature, grant-expiry.feature.)

  @AT-DEF-001 @MUST
  Rule: AT-DEF-001 Without linkCost, Links keep the default cost: no cost, or cost 1
    Source: docs/accesstoken-resource.md (linkCost default 1); docs/resources-link.md (Link cost default 1: a Link without a cost has it); spec §7.1 item 5 (Skupper leaves the cost unset)

    # A cost of 0 or less written on a Link is not the default the docs name, though Skupper's router
    # raises a cost below 1 to 1 (spec §1.3): that is its code, not a documented promise.

    Scenario: A token without linkCost
      Given a grant
      And an AccessToken "plain-cost" for the grant
      When the token is applied
      Then the token is redeemed
      And every Link has the default cost

  @AT-DEF-002 @SHOULD
  Rule: AT-DEF-002 A linkCost of 0 or less is neither refused nor applied: the token is redeemed and Links keep the default cost
    Source: spec §3.1 (linkCost applied only when above 0, never validated); CRD (linkCost an integer, no minimum); the docs say nothing of 0 or less, so only the code backs this

    Scenario Outline: A token with linkCost <cost>
      Given a grant
      And an AccessToken "cost-<name>" for the grant
      And the token has linkCost <cost>
      When the token is applied
      Then the token is redeemed
      And every Link has the default cost

      Examples:
        | cost | name     |
        | 0    | zero     |
        | -3   | negative |

  @AT-DEF-003 @MUST @feature:link-cost
  Rule: AT-DEF-003 A linkCost above 0 becomes the cost of every Link created
    Source: docs/accesstoken-resource.md (linkCost: "The link cost to use when creating the link")

    Scenario: A token with linkCost 5 and one endpoint group
      Given a grant
      And an AccessToken "costly" for the grant
      And the token has linkCost 5
      When the token is applied
      Then the token is redeemed
      And every Link has cost 5

    Scenario: A token with linkCost 12 and three endpoint groups
      Given a grant with 3 endpoint groups
      And an AccessToken "costly" for the grant
      And the token has linkCost 12
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "costly-1", "costly-2" and "costly-3"
      And every Link has cost 12

  @AT-DEF-004 @MUST
  Rule: AT-DEF-004 Settings are accepted and do not change the redemption
    Source: docs/accesstoken-resource.md (settings); spec §7.1 item 4 (never read)

    Scenario: A token with settings is redeemed as without them
      Given a grant
      And an AccessToken "with-settings" for the grant
      And the token has the settings "verbose=true" and "note=a b c"
      When the token is applied
      Then the token is redeemed
      And the site has exactly the Links "with-settings"
      And the request body was exactly the grant's code

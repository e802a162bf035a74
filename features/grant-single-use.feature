@family:grant-single-use @side:grant-service
Feature: Grant single use
  A grant allows a number of redemptions (spec.redemptionsAllowed, one by default) and serves no more,
  whether they come one after another or all at once; its status counts the redemptions it served.

  @AT-USE-002 @MUST
  Rule: AT-USE-002 A grant's redemption limit holds: a grant allowing k serves k redemptions and refuses the next
    Source: docs/concepts-access-token.md ("they can be redeemed only once"); docs/resources-access-grant.md (redemptionsAllowed); spec §2.4 step 6

    Scenario Outline: A grant allowing <k>, redeemed <k> times and once more
      Given an AccessGrant "allowing-<k>" allowing <k> redemptions
      When the grant is redeemed <k> times in turn
      Then every redemption so far was answered 200
      When the grant is redeemed
      Then the grant service did not answer 200

      Examples:
        | k |
        | 1 |
        | 3 |

  @AT-LIMIT-001 @SHOULD
  Rule: AT-LIMIT-001 The redemption beyond the limit is answered 404 No such access granted
    Source: spec §2.4 step 6 (redemptionsAllowed <= redemptions: 404 "No such access granted")

    Scenario: A grant allowing 2, redeemed three times
      Given an AccessGrant "allowing-2" allowing 2 redemptions
      When the grant is redeemed 2 times in turn
      And the grant is redeemed
      Then the grant service answered 404 "No such access granted"

  @AT-LIMIT-002 @MUST
  Rule: AT-LIMIT-002 Never more than k: concurrent redemptions of a grant allowing k get at most k answers 200
    Source: docs/concepts-access-token.md ("they can be redeemed only once"); spec §2.4 steps 6 and 8 (the count is checked, then raised)
    The race is provoked, not hoped for: each round opens its 50 TLS connections first, then writes all 50
    redemptions at once, to a fresh grant; five rounds.

    Scenario Outline: 50 concurrent redemptions of a grant allowing <k>, five rounds
      Given 5 AccessGrants "burst-<k>" allowing <k> redemptions each
      When each grant is sent 50 redemptions with its code at once
      Then no grant answered more than <k> of them with 200

      Examples:
        | k |
        | 1 |
        | 3 |

    @feature:status
    Scenario Outline: status.redemptions under 50 concurrent redemptions of a grant allowing <k>, five rounds
      Given 5 AccessGrants "watched-<k>" allowing <k> redemptions each
      When each grant is sent 50 redemptions with its code at once, its status watched
      Then no grant's status ever showed more than <k> redemptions

      Examples:
        | k |
        | 1 |
        | 3 |

  @AT-LIMIT-003 @SHOULD
  Rule: AT-LIMIT-003 Exactly k: concurrent redemptions of a grant allowing k get k answers 200, the others 404 No such access granted
    Source: spec §2.4 steps 6 and 8 (a lost status write answers 503 and, in memory, keeps the redemption it lost)

    Scenario Outline: 50 concurrent redemptions of a grant allowing <k>, five rounds
      Given 5 AccessGrants "exact-<k>" allowing <k> redemptions each
      When each grant is sent 50 redemptions with its code at once
      Then each grant answered exactly <k> of them with 200 and the others 404 "No such access granted"

      Examples:
        | k |
        | 1 |
        | 3 |

    @feature:status
    Scenario Outline: status.redemptions after 50 concurrent redemptions of a grant allowing <k>, five rounds
      Given 5 AccessGrants "counted-<k>" allowing <k> redemptions each
      When each grant is sent 50 redemptions with its code at once
      Then each grant's status comes to <k> redemptions

      Examples:
        | k |
        | 1 |
        | 3 |

  @AT-DEF-005 @MUST
  Rule: AT-DEF-005 A grant made with the defaults allows exactly one redemption
    Source: docs/concepts-access-token.md ("By default, they can be redeemed only once"); docs/resources-access-grant.md (redemptionsAllowed default 1)

    Scenario: A grant without redemptionsAllowed, redeemed twice
      Given an AccessGrant "plain" made with the defaults
      When the grant is redeemed
      Then the redemption is answered 200
      When the grant is redeemed
      Then the grant service did not answer 200

  @AT-ISSUE-004 @MUST @feature:status
  Rule: AT-ISSUE-004 status.redemptions rises with each successful redemption and never passes the limit
    Source: docs/resources-access-grant.md (status.redemptions); spec §2.4 step 8 (the count is raised and written before the answer)

    Scenario: A grant allowing 2, redeemed three times
      Given an AccessGrant "counted" allowing 2 redemptions
      When the grant is redeemed
      Then the redemption is answered 200
      And the grant's status counts at least 1 redemption, and never more than 2
      When the grant is redeemed
      Then the redemption is answered 200
      And the grant's status counts at least 2 redemptions, and never more than 2
      When the grant is redeemed
      Then the grant service did not answer 200
      And the grant's status counts at least 2 redemptions, and never more than 2

  @AT-ISSUE-005 @SHOULD @feature:status
  Rule: AT-ISSUE-005 status.redemptions equals the successful redemptions: a wrong code and a refused redemption do not count
    Source: spec §2.4 (only step 8 raises the count: the checks before it, the code's included, count nothing)

    Scenario: Wrong codes and a redemption beyond the limit among the successes
      Given an AccessGrant "tallied" allowing 2 redemptions
      When the grant is redeemed with a wrong code: "another code of the same length"
      Then the grant's status counts 0 redemptions
      When the grant is redeemed
      Then the grant's status counts 1 redemption
      When the grant is redeemed with a wrong code: "an empty body"
      Then the grant's status counts 1 redemption
      When the grant is redeemed
      Then the grant's status counts 2 redemptions
      When the grant is redeemed
      Then the grant service did not answer 200
      And the grant's status counts 2 redemptions

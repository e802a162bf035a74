@family:grant-requests @side:grant-service
Feature: Grant requests
  A grant service serves a redemption only to a POST of the right code to a grant that exists. Every
  other request is refused, consumes nothing, and is answered as Skupper's grant server answers it, in
  its check order: the method first, then the grant, its expiry and its redemptions, the code last.

  @AT-GRANT-001 @MUST
  Rule: AT-GRANT-001 A request other than POST is never served a redemption and consumes none
    Source: spec §2.3 (the request is a POST of the code), §2.4 step 1; docs/concepts-access-token.md (a token is redeemed once)

    Scenario Outline: A <method> request carrying the code, then the POST
      Given an AccessGrant "by-<name>"
      When the grant is sent a <method> request carrying its code
      Then the grant service did not answer 200
      When the grant is redeemed
      Then the redemption is answered 200

      Examples:
        | method | name   |
        | GET    | get    |
        | PUT    | put    |
        | DELETE | delete |

  @AT-GRANT-002 @SHOULD
  Rule: AT-GRANT-002 A method other than POST is answered 405 Only POST is supported, for any path
    Source: spec §2.4 step 1 (method ≠ POST, checked first, for any path: 405 "Only POST is supported")

    Scenario Outline: A <method> request at the grant's URL
      Given an AccessGrant "only-post"
      When the grant is sent a <method> request carrying its code
      Then the grant service answered 405 "Only POST is supported"

      Examples:
        | method |
        | GET    |
        | PUT    |
        | PATCH  |
        | DELETE |

    Scenario: A GET request at an unknown grant's URL
      Given an AccessGrant "only-post"
      When a GET request carrying the grant's code is sent to an unknown grant's URL
      Then the grant service answered 405 "Only POST is supported"

  @AT-GRANT-003 @MUST
  Rule: AT-GRANT-003 A POST to an unknown grant is refused
    Source: spec §2.4 step 3 (no grant for the key); docs/concepts-access-token.md (a token redeems its own grant)

    Scenario: A grant's code POSTed to an unknown grant's URL
      Given an AccessGrant "known"
      When a POST request carrying the grant's code is sent to an unknown grant's URL
      Then the grant service did not answer 200

  @AT-GRANT-004 @SHOULD
  Rule: AT-GRANT-004 An unknown grant is answered 404 No such claim
    Source: spec §2.4 step 3 (404 "No such claim")

    Scenario: A POST to an unknown grant's URL
      Given an AccessGrant "known"
      When a POST request carrying the grant's code is sent to an unknown grant's URL
      Then the grant service answered 404 "No such claim"

  @AT-GRANT-005 @MUST
  Rule: AT-GRANT-005 A wrong code is refused and consumes no redemption
    Source: docs/concepts-access-token.md (the code authorises the redemption); spec §2.4 step 7 (exact byte comparison, before the count is raised)

    Scenario Outline: <wrong>, then the right code, on a single-use grant
      Given an AccessGrant "guarded"
      When the grant is redeemed with a wrong code: "<wrong>"
      Then the grant service did not answer 200
      When the grant is redeemed
      Then the redemption is answered 200

      Examples:
        | wrong                                       |
        | another code of the same length             |
        | an empty body                               |
        | the code without its last character         |
        | the code with its letters in the other case |

  @AT-GRANT-006 @SHOULD
  Rule: AT-GRANT-006 A wrong code is answered 403 Redemption of access token refused
    Source: spec §2.4 step 7 (403 "Redemption of access token refused")

    Scenario Outline: <wrong>
      Given an AccessGrant "guarded"
      When the grant is redeemed with a wrong code: "<wrong>"
      Then the grant service answered 403 "Redemption of access token refused"

      Examples:
        | wrong                           |
        | another code of the same length |
        | an empty body                   |

  @AT-GRANT-007 @MUST @feature:delete
  Rule: AT-GRANT-007 A deleted grant is never redeemed
    Source: docs/resources-access-grant.md (the AccessGrant is what permits redemptions); spec §4 step 1 (a deleted grant is removed from the registry)

    Scenario: A grant deleted before it was redeemed
      Given an AccessGrant "withdrawn"
      When the grant is deleted
      And the deleted grant is redeemed with the code it had
      Then the grant service did not answer 200

  @AT-USE-005 @SHOULD @feature:delete
  Rule: AT-USE-005 A deleted grant is answered 404 No such claim
    Source: spec §2.4 step 3 (unknown or deleted grant: 404 "No such claim"), §4 step 1

    Scenario: A grant deleted before it was redeemed
      Given an AccessGrant "withdrawn"
      When the grant is deleted
      And the deleted grant is redeemed with the code it had
      Then the grant service answered 404 "No such claim"

  @AT-ERR-004 @SHOULD
  Rule: AT-ERR-004 Expiry and exhaustion are checked before the code: a wrong code on a used-up grant is answered 404, not 403
    Source: spec §2.4 (steps 5 and 6 before step 7), §7.3 (a wrong code on an expired or exhausted grant answers 404)

    Scenario: A wrong code for a used-up grant
      Given an AccessGrant "used-up"
      When the grant is redeemed
      Then the redemption is answered 200
      When the grant is redeemed with a wrong code: "another code of the same length"
      Then the grant service answered 404 "No such access granted"

    @slow @feature:short-windows
    Scenario: A wrong code for an expired grant
      Given an AccessGrant "lapsed" whose expirationWindow is "2s"
      When the grant's expirationWindow has passed
      And the grant is redeemed with a wrong code: "another code of the same length"
      Then the grant service answered 404 "No such claim"

@family:grant-errors @side:redeemer
Feature: Grant service errors
  Every answer other than 200 ends the redemption in Error with the status code in the message, and
  creates nothing.

  @AT-ERR-001 @MUST
  Rule: AT-ERR-001 A non-200 answer ends in Error and its status code is in the message
    Source: docs/accesstoken-resource.md (status.message: "Error messages are reported here"); spec §3.1 order 6

    Scenario Outline: The grant service answers <status>
      Given a grant
      And an AccessToken "answer-<status>" for the grant
      And the grant service answers every request with status <status>
      When the token is applied
      Then the token fails with a message containing "<status>"
      And the site has no Secret and no Link

      Examples:
        | status |
        | 400    |
        | 403    |
        | 404    |
        | 405    |
        | 500    |
        | 502    |
        | 503    |

  @AT-ERR-002 @SHOULD
  Rule: AT-ERR-002 The message carries the grant service's answer text
    Source: spec §3.1 order 6 ("Controller got failed response: <code> (<StatusText>) <trimmed body>")

    Scenario: The answer's text reaches the message
      Given a grant
      And an AccessToken "why" for the grant
      And the grant service answers every request with status 503 and body "grant registry is syncing"
      When the token is applied
      Then the token fails with a message containing "grant registry is syncing"

  @AT-ERR-003 @MUST
  Rule: AT-ERR-003 A grant whose claim is corrupted gives 500 and the token fails
    Source: spec §2.4 step 4 (500 Corrupted claim)

    Scenario: A corrupted claim
      Given a grant whose expiration time is corrupted
      And an AccessToken "corrupt" for the grant
      When the token is applied
      Then the token fails with a message containing "500"
      And the site has no Secret and no Link

// Grants on the mock grant service: how the scenario's grant is made and changed.
import { Given } from './support/cucumber.ts';
import { DEFAULT_ENDPOINTS } from '../simulator/grant-service/registry.ts';
import type { Endpoint } from '../model/resources.ts';
import type { ConformanceWorld } from './support/world.ts';

function endpointGroups(count: number): Endpoint[] {
  return Array.from({ length: count }, (_, i) => [
    { name: 'inter-router', host: `router-${i + 1}.granting-site.example.test`, port: '55671', group: `skupper-router-${i + 1}` },
    { name: 'edge', host: `router-${i + 1}.granting-site.example.test`, port: '45671', group: `skupper-router-${i + 1}` },
  ]).flat();
}

Given('a grant', function (this: ConformanceWorld) {
  this.grant = this.service.createGrant();
});

Given('a grant that allows {int} redemption(s)', function (this: ConformanceWorld, allowed: number) {
  this.grant = this.service.createGrant({ redemptionsAllowed: allowed });
});

Given('a grant with {int} endpoint groups', function (this: ConformanceWorld, groups: number) {
  this.grant = this.service.createGrant({ endpoints: endpointGroups(groups) });
});

Given('a grant with {int} endpoint groups that allows {int} redemptions', function (this: ConformanceWorld, groups: number, allowed: number) {
  this.grant = this.service.createGrant({ endpoints: endpointGroups(groups), redemptionsAllowed: allowed });
});

Given('a grant whose endpoints have no inter-router or edge role', function (this: ConformanceWorld) {
  this.grant = this.service.createGrant({ endpoints: [{ name: 'claims', host: 'claims.granting-site.example.test', port: '8081', group: 'claims' }] });
});

Given('a grant whose code has surrounding spaces and URL-special characters', function (this: ConformanceWorld) {
  const grant = this.service.createGrant();
  const { record } = grant;
  record.code = `  ${record.code.slice(0, 12)}+/=%20&?#é ${record.code.slice(12)}  `;
  this.grant = grant;
});

Given('a grant whose expiration time is corrupted', function (this: ConformanceWorld) {
  this.grant = this.service.createGrant().corrupt();
});

Given('the granting site now has a single endpoint group', function (this: ConformanceWorld) {
  this.requireGrant().record.endpoints = DEFAULT_ENDPOINTS;
});

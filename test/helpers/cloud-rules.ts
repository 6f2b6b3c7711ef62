/** Rules of the cloud-only topology (HR and departments → Entra ID through the Graph emulator), shared by the scenario test and bench:entra. */
import type { GraphEmulator } from '../graph-emulator/graph-server.ts';

export const cloudRules = (emu: GraphEmulator): string => `
object person { employeeId: string indexed  givenName: string  sn: string  displayName: string  department: string  title: string  manager: reference(person)  status: string }
object group { code: string indexed  displayName: string  member: reference(person) multi }
agent hr type csv { path = "hr.csv" references-by = anchor object person { anchor employeeId attributes employeeId, givenName, sn, department, title, managerId, status } }
agent departments type csv { path = "departments.csv" multi-valued = "members" references-by = anchor references-agent = "hr" object department { anchor code attributes code, name, members } }
agent entra type entra {
  tenant-id = "${emu.tenantId}"
  client-id = "${emu.clientId}"
  client-secret = env("IDSYNC_TEST_ENTRA_SECRET")
  authority = "${emu.url}"
  graph-url = "${emu.graphUrl}"
  ca-file = "${emu.caFile}"
  hard-match = false
  soft-match = false
  object user { anchor id attributes id, userPrincipalName, displayName, givenName, surname, department, jobTitle, accountEnabled, employeeId, manager }
  object group { anchor id attributes id, displayName, description, member }
  threshold deletes 100000
}
inbound "hr" from hr.person to person {
  join { group { match [employeeId] to [employeeId] } }
  project
  flow employeeId <- [employeeId]
  flow givenName <- [givenName]
  flow sn <- [sn]
  flow displayName <- [givenName] & " " & [sn]
  flow department <- [department]
  flow title <- [title]
  flow manager <- [managerId]
  flow status <- [status]
}
inbound "departments" from departments.department to group {
  join { group { match [code] to [code] } }
  project
  flow code <- [code]
  flow displayName <- [name]
  flow member <- [members]
}
inbound "entra users" from entra.user to person precedence 200 { join { group { match [employeeId] to [employeeId] } } }
outbound "entra users" from person to entra.user {
  scope IsPresent([employeeId])
  provision when [status] = "active"
  dn "users/" & [employeeId]
  flow userPrincipalName <- [employeeId] & "@contoso.example" once
  flow displayName <- [displayName]
  flow givenName <- [givenName]
  flow surname <- [sn]
  flow department <- [department]
  flow jobTitle <- [title]
  flow employeeId <- [employeeId] once
  flow accountEnabled <- IIF([status] = "active", "true", "false")
  flow manager <- [manager]
}
outbound "entra groups" from group to entra.group {
  provision
  dn "groups/" & [code]
  flow displayName <- "Dept " & [displayName]
  flow description <- [code]
  flow member <- [member]
}
`;


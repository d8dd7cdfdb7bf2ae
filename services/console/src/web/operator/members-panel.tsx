import type { Member } from "@paymesh/gen/paymesh/governance/v1/governance_pb";
import { useRef, useState } from "preact/hooks";
import { useConsole } from "../console-context.js";
import { Empty, ErrorNote, Loading } from "../ui.js";
import { usePages } from "../use-pages.js";
import { AddMemberForm } from "./add-member-form.js";
import { MemberRow } from "./member-row.js";

/** Who may propose and vote: adding and removing members is the operator's (governance allows no one else). */
export function MembersPanel() {
  const { clients } = useConsole();
  const [generation, setGeneration] = useState(0);
  const [notice, setNotice] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  const members = usePages<Member>(
    async (pageToken, signal) => {
      const page = await clients.governance.listMembers({ pageSize: 50, pageToken }, { signal });
      return { items: page.members, nextPageToken: page.nextPageToken };
    },
    [clients, generation],
  );
  const reload = () => setGeneration((n) => n + 1);
  return (
    <section aria-labelledby="operator-members-title">
      <h2 id="operator-members-title" tabIndex={-1} ref={heading}>
        Governance members
      </h2>
      <p class="hint">
        Members propose and vote on the platform's rules. A removed member keeps the votes already cast and is left out of proposals made
        after.
      </p>
      <AddMemberForm
        onAdded={(member) => {
          setNotice(`${member.subject} is a member and may propose and vote.`);
          reload();
        }}
      />
      <p class="hint" role="status" data-testid="members-notice">
        {notice}
      </p>
      <ErrorNote error={members.error} onRetry={members.loadMore} />
      {members.items.length === 0 ? (
        members.loading ? (
          <Loading what="the members" />
        ) : (
          members.error === undefined && <Empty>No members yet: nobody can propose or vote until you add someone.</Empty>
        )
      ) : (
        <table class="table compact" data-testid="operator-members">
          <caption class="visually-hidden">Governance members, by subject</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Added by</th>
              <th scope="col">Added</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.items.map((member) => (
              <MemberRow
                key={member.subject}
                member={member}
                onRemoved={(subject) => {
                  setNotice(`${subject} is no longer a member.`);
                  // The row and its focused button are gone: put focus somewhere that still exists.
                  heading.current?.focus();
                  reload();
                }}
              />
            ))}
          </tbody>
        </table>
      )}
      {members.more && (
        <button type="button" class="secondary" onClick={members.loadMore} disabled={members.loading}>
          {members.loading ? "Loading…" : "Show more"}
        </button>
      )}
    </section>
  );
}

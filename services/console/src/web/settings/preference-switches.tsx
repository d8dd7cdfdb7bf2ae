import { Category } from "@paymesh/gen/paymesh/notifications/v1/notifications_pb";
import type { PreferenceGrid } from "./preference-grid.js";

/** Why a category cannot be switched off, in the words of the service's own rule. */
const WHY_REQUIRED: Partial<Record<Category, string>> = {
  [Category.SECURITY]: "they tell you about your account's safety and its integrations, so they cannot be switched off",
};
const WHY_REQUIRED_OTHERWISE = "paymesh requires them, so they cannot be switched off";

const whyId = (category: Category) => `required-why-${category}`;

/** The category × channel switches: a checkbox per cell, named for a screen reader, required rows always on. */
export function PreferenceSwitches(props: {
  grid: PreferenceGrid;
  switches: Readonly<Record<string, boolean>>;
  onChange(key: string, enabled: boolean): void;
}) {
  const required = props.grid.rows.filter((row) => row.required);
  return (
    <>
      <table class="table switches">
        <caption class="visually-hidden">Which notifications reach you through which channel</caption>
        <thead>
          <tr>
            <th scope="col">Notifications</th>
            {props.grid.channels.map((column) => (
              <th key={column.channel} scope="col">
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.grid.rows.map((row) => (
            <tr key={row.category}>
              <th scope="row">
                {row.label}
                {row.required && <span class="tag">always on</span>}
              </th>
              {row.cells.map((cell, index) => (
                <td key={cell?.key ?? index}>
                  {cell === undefined ? (
                    <span class="hint">—</span>
                  ) : (
                    <label class="switch">
                      <input
                        type="checkbox"
                        checked={cell.required || props.switches[cell.key] === true}
                        disabled={cell.required}
                        aria-describedby={cell.required ? whyId(row.category) : undefined}
                        onChange={(event) => props.onChange(cell.key, event.currentTarget.checked)}
                      />
                      <span class="visually-hidden">{cell.label}</span>
                    </label>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {required.map((row) => (
        <p key={row.category} id={whyId(row.category)} class="hint">
          {row.label} notifications are always on: {WHY_REQUIRED[row.category] ?? WHY_REQUIRED_OTHERWISE}.
        </p>
      ))}
      <p class="hint">
        A few notifications that need you, such as a failed payment or a disabled webhook endpoint, reach you on every channel you have a
        contact for, whatever these switches say.
      </p>
    </>
  );
}

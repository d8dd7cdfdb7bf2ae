import { useEffect, useState } from "preact/hooks";

/** The page is the URL's hash (`#/send`), so reloading or sharing a link keeps the page. */
export function useRoute(): string {
  const [route, setRoute] = useState(() => currentRoute());
  useEffect(() => {
    const onChange = () => setRoute(currentRoute());
    window.addEventListener("hashchange", onChange);
    return () => window.removeEventListener("hashchange", onChange);
  }, []);
  return route;
}

function currentRoute(): string {
  return location.hash.replace(/^#/, "") || "/";
}

/** A Cloudscape link or button that navigates inside the app without a reload. */
import Button, { type ButtonProps } from "@cloudscape-design/components/button";
import Link, { type LinkProps } from "@cloudscape-design/components/link";
import { useNavigate } from "react-router-dom";

export function RouterLink(props: LinkProps & { href: string }) {
  const navigate = useNavigate();
  return (
    <Link
      {...props}
      onFollow={(event) => {
        event.preventDefault();
        navigate(props.href);
      }}
    />
  );
}

export function RouterButton(props: ButtonProps & { href: string }) {
  const navigate = useNavigate();
  return (
    <Button
      {...props}
      onFollow={(event) => {
        event.preventDefault();
        navigate(props.href);
      }}
    />
  );
}
